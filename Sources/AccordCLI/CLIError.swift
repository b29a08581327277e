/// An error raised by a command itself, such as a file that cannot be read.
struct CLIError: Error {
    var message: String
    var exitCode: Int32 = 1

    static func usage(_ message: String) -> CLIError { CLIError(message: message, exitCode: 64) }
    static func invalid(_ message: String) -> CLIError { CLIError(message: message, exitCode: 65) }
    static func missing(_ message: String) -> CLIError { CLIError(message: message, exitCode: 66) }
}
