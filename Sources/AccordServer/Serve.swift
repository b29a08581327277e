import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import Storage
import SyncServer

extension AccordServer {
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve sync on HOST:PORT until SIGTERM or SIGINT; prints `listening on HOST:PORT` once ready."
        )

        @OptionGroup var store: StoreOptions
        @Option(help: "The address to listen on.") var host = "127.0.0.1"
        @Option(help: "The port; 0 picks a free one.") var port = 7420
        @Option(help: "Seconds a connection may wait for a request, or leave an answer unread.") var idleSeconds = 60
        @Option(help: "Connections served at once.") var maxConnections = 256
        @Option(help: "The longest message line, in bytes after inflating.") var maxLineBytes = 4 * 1024 * 1024

        func validate() throws {
            guard (0...65535).contains(port) else { throw ValidationError("--port must be from 0 to 65535") }
            guard idleSeconds > 0, maxConnections > 0, maxLineBytes >= 1024 else {
                throw ValidationError("--idle-seconds and --max-connections must be positive, --max-line-bytes at least 1024")
            }
        }

        func run() async throws {
            let level = ProcessInfo.processInfo.environment["ACCORD_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
            let logger = Logger(label: "accord-server")
            let serverStore = try store.open()
            var configuration = SyncServerConfiguration()
            configuration.host = host
            configuration.port = port
            configuration.limits.idleSeconds = idleSeconds
            configuration.limits.maxConnections = maxConnections
            configuration.limits.maxLineBytes = maxLineBytes
            let server = SyncServer(configuration: configuration, store: serverStore, logger: logger) { address in
                // Written straight to the descriptor: tests and scripts wait for this line.
                FileHandle.standardOutput.write(Data("listening on \(address)\n".utf8))
            }
            let group = ServiceGroup(
                configuration: .init(services: [.init(service: server)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
            )
            try await group.run()
        }
    }
}
