extension StringProtocol {
    /// `body` over the text's UTF-8 bytes in one buffer (a copy only for text that is not
    /// stored contiguously). A loop over a buffer is several times faster than one over `utf8`,
    /// and an import reads every byte of every cell, and writes every byte of its history, so.
    func withUTF8Bytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        if let result = utf8.withContiguousStorageIfAvailable(body) { return result }
        var copy = String(self)
        return copy.withUTF8(body)
    }
}
