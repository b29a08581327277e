import ArgumentParser
import Domain
import Foundation
import Storage
import SyncClient

/// A failure as the analyst sees it: one line of text and an exit code.
///
/// Exit codes: 64 a command line that does not parse (or a sync with no server or token), 65 bad
/// data (validation, malformed file), 66 something named that is not there (replica, row, file),
/// 73 something that already exists; for sync, 69 server unreachable or connection cut, 76
/// protocol error, 77 token refused, 78 another server database; 1 anything else.
struct CommandFailure {
    var message: String
    var exitCode: Int32

    init(_ error: any Error) {
        switch error {
        case let error as CLIError:
            self.init(message: error.message, exitCode: error.exitCode)
        case let error as StoreError:
            let code: Int32 = switch error.code {
            case .notFound: 66
            case .alreadyExists: 73
            case .invalid, .ambiguous, .deleted: 65
            case .notAReplica, .tooNew: 65
            default: 1
            }
            self.init(message: error.message, exitCode: code)
        case let error as SyncClientError:
            let code: Int32 = switch error.code {
            case .unreachable: 69
            case .refused: 77
            case .wrongServer: 78
            case .notConfigured: 64
            default: 76
            }
            self.init(message: error.message, exitCode: code)
        case let error as ValidationFailure:
            self.init(message: error.description, exitCode: 65)
        case let error as Interchange.ImportError:
            self.init(message: error.description, exitCode: 65)
        default:
            let text = Accord.message(for: error)
            let parserFailure = Accord.exitCode(for: error) == .validationFailure
            self.init(message: text.isEmpty ? String(describing: error) : text, exitCode: parserFailure ? 64 : 1)
        }
    }

    init(message: String, exitCode: Int32) {
        // One line, whatever the underlying error printed.
        let lines = message.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
        self.message = lines.filter { !$0.isEmpty && !$0.hasPrefix("Usage:") && !$0.hasPrefix("See '") }
            .joined(separator: " ")
        self.exitCode = exitCode
    }
}
