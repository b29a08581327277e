/// The versions a `hello` will carry. The wire itself (messages, framing, the deflate stream,
/// limits) is specified in Protocol/PROTOCOL.md and lands with the sync server.
public enum ProtocolVersion {
    /// The wire protocol's version a client speaks.
    public static let wire = 4
    /// The versions a server speaks: 1 differs from 2 only in that its server hello always
    /// carries `server_identity` (PROTOCOL.md §5.2); 3 from 2 in its positional `changes` rows
    /// (§5.4); 4 from 3 in that a client may send its next push before the last one's
    /// acknowledgement (§5.3).
    public static let supported = 1...4
    /// The data schema's version: the entities and fields of `Domain.EntitySchema`.
    public static let schema = 1
}
