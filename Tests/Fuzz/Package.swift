// swift-tools-version:6.1
import PackageDescription

// libFuzzer targets for the wire code (see run.sh). Built on its own, not by the root package:
// `-sanitize=fuzzer` instruments the code under test and links libFuzzer into each target,
// neither of which belongs in the ordinary build.
//
// `Sources/Domain` and `Sources/SyncProtocol` are symbolic links to the root package's sources:
// the root package exports no `SyncProtocol` product, and compiling the same files here lets the
// instrumentation stop at them (NIO and zlib are not the code under test).

let fuzzer: [SwiftSetting] = [.unsafeFlags(["-sanitize=fuzzer"])]

let package = Package(
    name: "AccordFuzz",
    platforms: [.macOS(.v14)],
    dependencies: [
        // The same versions the root package pins.
        .package(url: "https://github.com/apple/swift-nio", exact: "2.101.3"),
        .package(url: "https://github.com/adam-fowler/compress-nio", exact: "1.5.0"),
    ],
    targets: [
        .target(name: "CLibFuzzer"),
        .target(name: "Domain", swiftSettings: fuzzer),
        .target(
            name: "SyncProtocol",
            dependencies: [
                "Domain",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "CompressNIO", package: "compress-nio"),
            ],
            swiftSettings: fuzzer
        ),
    ] + ["LineFramerFuzz", "InflaterFuzz", "MessageDecodingFuzz"].map { name in
        // Each program's entry point hands `LLVMFuzzerTestOneInput` to libFuzzer's driver.
        .executableTarget(
            name: name,
            dependencies: ["CLibFuzzer", "SyncProtocol"],
            swiftSettings: fuzzer,
            linkerSettings: [.unsafeFlags(["-sanitize=fuzzer"])]
        )
    },
    swiftLanguageModes: [.v6]
)
