/// A `--frames A:B` selection: frames A through B-1 of a pose file, zero-based.
///
/// Either side may be left out (`:60` is the first 60 frames, `30:` everything from frame 30); a
/// single number `N` is the one frame N.
public struct FrameRange: Equatable, Sendable, CustomStringConvertible {
    /// First frame, inclusive.
    public var start: Int?
    /// End frame, exclusive.
    public var end: Int?

    /// Parses `A:B`, `A:`, `:B` or `N`; nil when the text is not of that form.
    public init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        func bound(_ part: Substring) -> Int?? {
            if part.isEmpty { return .some(nil) }
            guard let value = Int(part), value >= 0 else { return nil }
            return .some(value)
        }
        switch parts.count {
        case 1:
            guard let value = Int(parts[0]), value >= 0 else { return nil }
            start = value
            end = value + 1
        case 2:
            guard let a = bound(parts[0]), let b = bound(parts[1]) else { return nil }
            start = a
            end = b
        default:
            return nil
        }
    }

    /// The frames selected out of `count`.
    ///
    /// - Throws: a ``PSGANError`` (no file named; the caller's ``PSGANError/naming(_:)`` adds the
    ///   pose file) when the selection is empty or reaches past the last frame.
    public func resolve(frameCount count: Int) throws(PSGANError) -> Range<Int> {
        let a = start ?? 0
        let b = end ?? count
        guard a < b else {
            throw PSGANError(.render, "--frames \(self) selects no frames")
        }
        guard a < count, b <= count else {
            throw PSGANError(.render, "--frames \(self) is outside the pose file's \(count) frames (0:\(count))")
        }
        return a ..< b
    }

    /// All frames.
    public static let all = FrameRange(":")!

    public var description: String { "\(start.map(String.init) ?? ""):\(end.map(String.init) ?? "")" }
}
