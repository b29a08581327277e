import Foundation

/// A wall clock that tests set by hand, in milliseconds since 1970.
///
/// `@unchecked Sendable`: the one mutable field is read and written only under `lock`.
public final class ManualClock: @unchecked Sendable {
    private let lock = NSLock()
    private var millis: Int64

    public init(millis: Int64 = 1_752_130_800_000) { self.millis = millis }

    public var now: Int64 {
        get { lock.withLock { millis } }
        set { lock.withLock { millis = newValue } }
    }

    /// A closure to hand to a store as its wall clock.
    public var reader: @Sendable () -> Int64 { { [self] in now } }
}
