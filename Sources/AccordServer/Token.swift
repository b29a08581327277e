import ArgumentParser
import Foundation
import Storage

extension Role: ExpressibleByArgument {}

extension AccordServer {
    struct TokenCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "token", abstract: "Issue, list and revoke analysts' tokens.",
            subcommands: [Add.self, List.self, Revoke.self]
        )

        struct Add: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Issue a token and print it, once; only its hash is kept.")
            @OptionGroup var store: StoreOptions
            @Argument(help: "Who the token is for.") var name: String
            @Option(help: "reader, editor or admin.") var role: Role

            func run() throws {
                print(try store.open().addToken(name: name, role: role))
            }
        }

        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List tokens (never the tokens themselves).")
            @OptionGroup var store: StoreOptions

            func run() throws {
                let rows = try store.open().tokens()
                let width = max(4, rows.map(\.name.count).max() ?? 0)
                print("NAME".padding(toLength: width, withPad: " ", startingAt: 0) + "  ROLE    CREATED                   REVOKED")
                for token in rows {
                    print(token.name.padding(toLength: width, withPad: " ", startingAt: 0) + "  "
                          + token.role.rawValue.padding(toLength: 6, withPad: " ", startingAt: 0) + "  "
                          + token.createdAt + "  " + (token.revokedAt ?? "-"))
                }
            }
        }

        struct Revoke: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Revoke a token; its next connection is refused.")
            @OptionGroup var store: StoreOptions
            @Argument(help: "The token's name.") var name: String

            func run() throws {
                try store.open().revokeToken(name: name)
                print("revoked \(name)")
            }
        }
    }
}
