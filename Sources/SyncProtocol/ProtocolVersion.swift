/// The versions a `hello` will carry. The wire itself (messages, framing, the deflate stream,
/// limits) is specified in Protocol/PROTOCOL.md and lands with the sync server.
public enum ProtocolVersion {
    /// The wire protocol's version.
    public static let wire = 1
    /// The data schema's version: the entities and fields of `Domain.EntitySchema`.
    public static let schema = 1
}
