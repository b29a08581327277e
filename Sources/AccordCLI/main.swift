import ArgumentParser
import Foundation

// Runs the command; turns every failure into one `error: …` line on stderr and an exit code.
do {
    var command = try Accord.parseAsRoot()
    try command.run()
} catch {
    if Accord.exitCode(for: error) == .success {
        Accord.exit(withError: error) // --help and friends print their text and exit 0
    }
    let failure = CommandFailure(error)
    FileHandle.standardError.write(Data("error: \(failure.message)\n".utf8))
    exit(failure.exitCode)
}
