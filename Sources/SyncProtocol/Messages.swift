import Domain

/// The first line a client sends (Protocol/PROTOCOL.md §5.1).
public struct ClientHello: Codable, Sendable, Hashable {
    public var type = "hello"
    public var protocolVersion: Int
    public var schema: Int
    public var token: String
    public var replicaID: String
    public var analyst: String
    public var serverIdentity: String?
    public var compression: [String]

    public init(token: String, replicaID: String, analyst: String, serverIdentity: String?,
                compression: [String] = [Compression.deflate.rawValue, Compression.none.rawValue],
                protocolVersion: Int = ProtocolVersion.wire, schema: Int = ProtocolVersion.schema) {
        self.protocolVersion = protocolVersion
        self.schema = schema
        self.token = token
        self.replicaID = replicaID
        self.analyst = analyst
        self.serverIdentity = serverIdentity
        self.compression = compression
    }

    enum CodingKeys: String, CodingKey {
        case type, schema, token, analyst, compression
        case protocolVersion = "protocol"
        case replicaID = "replica_id"
        case serverIdentity = "server_identity"
    }
}

/// How a connection continues after the hellos.
public enum Compression: String, Codable, Sendable, CaseIterable {
    case deflate, none
}

/// The limits a server announces in its hello.
public struct AnnouncedLimits: Codable, Sendable, Hashable {
    public var maxLineBytes: Int
    public var maxBatchChanges: Int
    public var maxInflateRatio: Int
    public var inflateGraceBytes: Int
    public var idleSeconds: Int

    public init(maxLineBytes: Int, maxBatchChanges: Int, maxInflateRatio: Int, inflateGraceBytes: Int, idleSeconds: Int) {
        self.maxLineBytes = maxLineBytes
        self.maxBatchChanges = maxBatchChanges
        self.maxInflateRatio = maxInflateRatio
        self.inflateGraceBytes = inflateGraceBytes
        self.idleSeconds = idleSeconds
    }

    /// The defaults of PROTOCOL.md §7: what a limit a protocol 3 hello leaves out is. They are
    /// fixed by the protocol, not by this server's settings: a server whose limit is another
    /// (`ProtocolLimits.maxBatchChanges`) announces it, and a client meeting an older server,
    /// which leaves its limits out, assumes these.
    public static let defaults = AnnouncedLimits(maxLineBytes: 4 * 1024 * 1024, maxBatchChanges: 1000, maxInflateRatio: 100,
                                                 inflateGraceBytes: 1024 * 1024, idleSeconds: 60)

    /// A limit the hello leaves out has its default.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = Self.defaults
        maxLineBytes = try container.decodeIfPresent(Int.self, forKey: .maxLineBytes) ?? defaults.maxLineBytes
        maxBatchChanges = try container.decodeIfPresent(Int.self, forKey: .maxBatchChanges) ?? defaults.maxBatchChanges
        maxInflateRatio = try container.decodeIfPresent(Int.self, forKey: .maxInflateRatio) ?? defaults.maxInflateRatio
        inflateGraceBytes = try container.decodeIfPresent(Int.self, forKey: .inflateGraceBytes) ?? defaults.inflateGraceBytes
        idleSeconds = try container.decodeIfPresent(Int.self, forKey: .idleSeconds) ?? defaults.idleSeconds
    }

    /// Every limit (protocols 1 and 2), or only those that differ from their defaults (3).
    func encode(to container: inout KeyedEncodingContainer<CodingKeys>, all: Bool) throws {
        let defaults = Self.defaults
        for (key, value, standard) in [(CodingKeys.maxLineBytes, maxLineBytes, defaults.maxLineBytes),
                                       (.maxBatchChanges, maxBatchChanges, defaults.maxBatchChanges),
                                       (.maxInflateRatio, maxInflateRatio, defaults.maxInflateRatio),
                                       (.inflateGraceBytes, inflateGraceBytes, defaults.inflateGraceBytes),
                                       (.idleSeconds, idleSeconds, defaults.idleSeconds)] where all || value != standard {
            try container.encode(value, forKey: key)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try encode(to: &container, all: true)
    }

    enum CodingKeys: String, CodingKey {
        case maxLineBytes = "max_line_bytes"
        case maxBatchChanges = "max_batch_changes"
        case maxInflateRatio = "max_inflate_ratio"
        case inflateGraceBytes = "inflate_grace_bytes"
        case idleSeconds = "idle_seconds"
    }
}

/// The server's answer to a good hello (§5.2).
public struct ServerHello: Codable, Sendable, Hashable {
    public var type = "hello"
    public var protocolVersion: Int
    public var schema: Int
    /// Left out (protocols 2 and 3) when the client's hello named this same identity.
    public var serverIdentity: String?
    public var role: String
    public var compression: Compression
    public var limits: AnnouncedLimits
    /// The highest `local_seq` the server has applied from this replica (0: none). A replica
    /// restored from a copy renumbers its never-sent edits above it, or they would be taken
    /// for duplicates.
    public var highWater: Int64

    public init(serverIdentity: String?, role: String, compression: Compression, limits: AnnouncedLimits, highWater: Int64 = 0,
                protocolVersion: Int = ProtocolVersion.wire, schema: Int = ProtocolVersion.schema) {
        self.protocolVersion = protocolVersion
        self.schema = schema
        self.serverIdentity = serverIdentity
        self.role = role
        self.compression = compression
        self.limits = limits
        self.highWater = highWater
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        type = try container.decode(String.self, forKey: .type)
        protocolVersion = try container.decode(Int.self, forKey: .protocolVersion)
        schema = try container.decode(Int.self, forKey: .schema)
        serverIdentity = try container.decodeIfPresent(String.self, forKey: .serverIdentity)
        role = try container.decode(String.self, forKey: .role)
        compression = try container.decode(Compression.self, forKey: .compression)
        limits = try container.decodeIfPresent(AnnouncedLimits.self, forKey: .limits) ?? .defaults
        highWater = try container.decode(Int64.self, forKey: .highWater)
    }

    /// Protocol 3 leaves out the limits that have their defaults, and `limits` when all do (§5.2).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(type, forKey: .type)
        try container.encode(protocolVersion, forKey: .protocolVersion)
        try container.encode(schema, forKey: .schema)
        try container.encodeIfPresent(serverIdentity, forKey: .serverIdentity)
        try container.encode(role, forKey: .role)
        try container.encode(compression, forKey: .compression)
        if protocolVersion < 3 || limits != .defaults {
            var nested = container.nestedContainer(keyedBy: AnnouncedLimits.CodingKeys.self, forKey: .limits)
            try limits.encode(to: &nested, all: protocolVersion < 3)
        }
        try container.encode(highWater, forKey: .highWater)
    }

    enum CodingKeys: String, CodingKey {
        case type, schema, role, compression, limits
        case protocolVersion = "protocol"
        case serverIdentity = "server_identity"
        case highWater = "high_water"
    }
}

/// One change in a `push` (§5.3).
public struct WireChange: Codable, Sendable, Hashable {
    public var localSeq: Int64
    public var entity: String
    public var id: RecordID
    public var field: String
    public var value: FieldValue
    public var base: Int64
    public var aliveBase: Int64
    public var hlc: HLCTimestamp

    public init(_ pushed: PushedChange) {
        localSeq = pushed.localSeq
        entity = pushed.change.entity
        id = pushed.change.id
        field = pushed.change.field
        value = pushed.change.value
        base = pushed.baseSeq
        aliveBase = pushed.aliveBaseSeq
        hlc = pushed.change.hlc
    }

    public var pushed: PushedChange {
        PushedChange(localSeq: localSeq, change: FieldChange(entity: entity, id: id, field: field, value: value, hlc: hlc),
                     baseSeq: base, aliveBaseSeq: aliveBase)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        localSeq = try container.decode(Int64.self, forKey: .localSeq)
        entity = try container.decode(String.self, forKey: .entity)
        id = try container.decode(RecordID.self, forKey: .id)
        field = try container.decode(String.self, forKey: .field)
        // A missing value is an error, not null: `decodeNil` on an absent key would say null.
        guard container.contains(.value) else {
            throw DecodingError.keyNotFound(CodingKeys.value, .init(codingPath: container.codingPath, debugDescription: "value is required"))
        }
        value = try container.decode(FieldValue.self, forKey: .value)
        base = try container.decode(Int64.self, forKey: .base)
        aliveBase = try container.decodeIfPresent(Int64.self, forKey: .aliveBase) ?? 0
        hlc = try container.decode(HLCTimestamp.self, forKey: .hlc)
    }

    enum CodingKeys: String, CodingKey {
        case entity, id, field, value, base, hlc
        case localSeq = "local_seq"
        case aliveBase = "alive_base"
    }
}

public struct PushMessage: Codable, Sendable, Hashable {
    public var type = "push"
    public var changes: [WireChange]

    public init(changes: [WireChange]) { self.changes = changes }
}

/// One result in a `push_ack`.
public struct WireResult: Codable, Sendable, Hashable {
    public var localSeq: Int64
    public var outcome: PushResult.Outcome
    public var seq: Int64?
    public var conflictID: RecordID?
    public var current: WireField?

    public init(_ result: PushResult) {
        localSeq = result.localSeq
        outcome = result.outcome
        seq = result.seq
        conflictID = result.conflictID
        current = result.current.map(WireField.init)
    }

    public var result: PushResult {
        PushResult(localSeq: localSeq, outcome: outcome, seq: seq, conflictID: conflictID, current: current?.pulled)
    }

    enum CodingKeys: String, CodingKey {
        case outcome, seq, current
        case localSeq = "local_seq"
        case conflictID = "conflict_id"
    }
}

public struct PushAckMessage: Codable, Sendable, Hashable {
    public var type = "push_ack"
    public var results: [WireResult]

    public init(results: [WireResult]) { self.results = results }
}

public struct PullMessage: Codable, Sendable, Hashable {
    public var type = "pull"
    public var cursor: Int64
    public var limit: Int?

    /// The `limit` of a pull that names none (PROTOCOL.md §5.4).
    public static let defaultLimit = 1000

    public init(cursor: Int64, limit: Int? = nil) {
        self.cursor = cursor
        self.limit = limit
    }
}

/// One field in a `changes` batch.
public struct WireField: Codable, Sendable, Hashable {
    public var value: FieldValue
    public var seq: Int64
    public var hlc: HLCTimestamp
    public var replicaID: String
    public var analyst: String

    public init(_ field: PulledField) {
        value = field.value
        seq = field.seq
        hlc = field.hlc
        replicaID = field.replicaID
        analyst = field.analyst
    }

    public var pulled: PulledField {
        PulledField(value: value, seq: seq, hlc: hlc, replicaID: replicaID, analyst: analyst)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        guard container.contains(.value) else {
            throw DecodingError.keyNotFound(CodingKeys.value, .init(codingPath: container.codingPath, debugDescription: "value is required"))
        }
        value = try container.decode(FieldValue.self, forKey: .value)
        seq = try container.decode(Int64.self, forKey: .seq)
        hlc = try container.decode(HLCTimestamp.self, forKey: .hlc)
        replicaID = try container.decode(String.self, forKey: .replicaID)
        analyst = try container.decode(String.self, forKey: .analyst)
    }

    enum CodingKeys: String, CodingKey {
        case value, seq, hlc, analyst
        case replicaID = "replica_id"
    }
}

public struct WireRow: Codable, Sendable, Hashable {
    /// The row as a replica applies it. Kept in that form: a clone reads every field of every
    /// row, and converting each batch field by field cost a tenth of its time.
    public var pulled: PulledRow

    public var entity: String {
        get { pulled.entity }
        set { pulled.entity = newValue }
    }

    public var id: RecordID {
        get { pulled.id }
        set { pulled.id = newValue }
    }

    public var fields: [String: WireField] {
        get { pulled.fields.mapValues(WireField.init) }
        set { pulled.fields = newValue.mapValues(\.pulled) }
    }

    public init(_ row: PulledRow) {
        pulled = row
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        pulled = PulledRow(entity: try container.decode(String.self, forKey: .entity), id: try container.decode(RecordID.self, forKey: .id),
                           fields: try container.decode([String: WireField].self, forKey: .fields).mapValues(\.pulled))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(entity, forKey: .entity)
        try container.encode(id, forKey: .id)
        try container.encode(fields, forKey: .fields)
    }

    enum CodingKeys: String, CodingKey {
        case entity, id, fields
    }
}

public struct ChangesMessage: Codable, Sendable, Hashable {
    /// How a batch's rows are written (PROTOCOL.md §5.4).
    public enum Layout: Sendable, Hashable {
        /// Protocols 1 and 2: each field an object with its name, value and whole version.
        case keyed
        /// Protocol 3: each row's fields by column index, values and sequences in arrays, one
        /// time and writer a row with exceptions, the writers in a table per batch.
        case positional

        /// The layout a client of `protocolVersion` reads.
        public init(protocolVersion: Int) {
            self = protocolVersion >= 3 ? .positional : .keyed
        }
    }

    public var type = "changes"
    public var rows: [WireRow]
    public var cursor: Int64
    /// Not a key of its own: `JSONWriter` writes and `JSONReader` reads the positional layout
    /// (Messages+Positional.swift); `Codable` knows the keyed one only.
    public var layout: Layout = .keyed

    public init(rows: [WireRow], cursor: Int64, layout: Layout = .keyed) {
        self.rows = rows
        self.cursor = cursor
        self.layout = layout
    }

    enum CodingKeys: String, CodingKey {
        case type, rows, cursor
    }
}

public struct PullEndMessage: Codable, Sendable, Hashable {
    public var type = "pull_end"
    public var cursor: Int64

    public init(cursor: Int64) { self.cursor = cursor }
}

/// An error, then the sender closes (§5.5).
public struct ErrorMessage: Codable, Sendable, Hashable {
    public var type = "error"
    public var code: String
    public var message: String

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }
}
