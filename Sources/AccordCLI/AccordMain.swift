import ArgumentParser
import Foundation

@main
enum AccordMain {
    /// Runs the command; turns every failure into one `error: …` line on stderr and an exit code.
    /// (A function, not top-level code: there `run()` on an async command resolves to the
    /// synchronous default, which prints help.)
    static func main() async {
        do {
            var command = try Accord.parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            if Accord.exitCode(for: error) == .success {
                Accord.exit(withError: error) // --help and friends print their text and exit 0
            }
            let failure = CommandFailure(error)
            FileHandle.standardError.write(Data("error: \(failure.message)\n".utf8))
            exit(failure.exitCode)
        }
    }
}
