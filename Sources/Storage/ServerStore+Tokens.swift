import Crypto
import Domain
import Foundation
import GRDB

/// What an analyst's token allows: readers pull; editors also push; admins also manage tokens.
public enum Role: String, Sendable, CaseIterable {
    case reader, editor, admin

    public var canPush: Bool { self != .reader }
}

/// A token as `token list` shows it: never the token itself.
public struct TokenInfo: Sendable, Hashable {
    public var name: String
    public var role: Role
    public var createdAt: String
    public var revokedAt: String?
}

extension ServerStore {
    /// Issues a token for `name` and returns it; only its SHA-256 is stored, so this is the
    /// one time anyone sees it. Takes effect at once, whether the server runs or not.
    public func addToken(name: String, role: Role) throws -> String {
        guard !name.isEmpty, name.count <= 64, !name.contains(where: { $0.isWhitespace || $0.isNewline }) else {
            throw StoreError(.invalid, "a token name is 1 to 64 characters without spaces")
        }
        // 256 random bits in unpadded base64url: 43 characters, where hex took 64 (a token
        // travels in every hello, and a 1-row sync is about 1 KiB).
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<4).flatMap { _ in withUnsafeBytes(of: generator.next()) { Array($0) } }
        let secret = Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        let token = "acc_" + secret
        try writer.write { db in
            if try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM tokens WHERE name = ?"), arguments: [name]) == true {
                throw StoreError(.alreadyExists, "a token named \(name) already exists")
            }
            try db.execute(
                sql: "INSERT INTO tokens (name, role, hash, created_at) VALUES (?, ?, ?, ?)",
                arguments: [name, role.rawValue, Self.hash(token), isoTimestamp(millis: wallClock())]
            )
        }
        return token
    }

    public func tokens() throws -> [TokenInfo] {
        try writer.read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT name, role, created_at, revoked_at FROM tokens ORDER BY name")).map {
                TokenInfo(name: $0["name"], role: Role(rawValue: $0["role"]) ?? .reader,
                          createdAt: $0["created_at"], revokedAt: $0["revoked_at"])
            }
        }
    }

    /// Revokes a token at once: its next connection is refused.
    public func revokeToken(name: String) throws {
        try writer.write { db in
            try db.execute(sql: "UPDATE tokens SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL",
                           arguments: [isoTimestamp(millis: wallClock()), name])
            if db.changesCount == 0 {
                let exists = try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM tokens WHERE name = ?"), arguments: [name]) == true
                throw exists ? StoreError(.invalid, "the token \(name) is already revoked") : StoreError(.notFound, "no token named \(name)")
            }
        }
    }

    /// The name and role of a live token, or nil. Every live hash is compared, each in
    /// constant time, so the time taken says nothing about how close a guess was.
    public func authenticate(token: String) throws -> (name: String, role: Role)? {
        let presented = Array(Self.hash(token).utf8)
        let rows = try writer.read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT name, role, hash FROM tokens WHERE revoked_at IS NULL"))
        }
        var match: (String, Role)?
        for row in rows {
            let stored = Array((row["hash"] as String).utf8)
            if constantTimeEqual(stored, presented), let role = Role(rawValue: row["role"]) {
                match = (row["name"], role)
            }
        }
        return match
    }

    static func hash(_ token: String) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var hex: [UInt8] = []
        hex.reserveCapacity(64)
        for byte in SHA256.hash(data: Data(token.utf8)) {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: hex, as: UTF8.self)
    }
}

/// Compares two byte strings in time that depends only on their lengths.
func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard a.count == b.count else { return false }
    var difference: UInt8 = 0
    for index in a.indices { difference |= a[index] ^ b[index] }
    return difference == 0
}
