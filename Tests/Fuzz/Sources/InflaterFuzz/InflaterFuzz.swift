import CLibFuzzer
import Glibc
import SyncProtocol

/// One input through `FuzzEntryPoints.inflater`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    FuzzEntryPoints.inflater(UnsafeRawBufferPointer(start: data, count: count))
    return 0
}

/// Hands the input to libFuzzer's driver: SwiftPM names an executable's entry point itself, so
/// libFuzzer's own `main` cannot be it.
@main enum InflaterFuzz {
    static func main() {
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, fuzzOneInput))
    }
}
