/// A canvas size in whole pixels: the images poses were detected on, a model's canvas, a preview.
public struct CanvasSize: Equatable, Hashable, Sendable, CustomStringConvertible {
    /// Width in pixels.
    public var width: Int
    /// Height in pixels.
    public var height: Int

    /// A `width x height` canvas (not checked: readers report a size that is not positive).
    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }

    /// A square `side x side` canvas, such as a model's.
    public init(side: Int) {
        self.init(width: side, height: side)
    }

    /// Reads `WxH` (`1280x720`, `X` accepted too); nil unless both sides are positive whole numbers.
    public init?(parsing text: String) {
        let parts = text.lowercased().split(separator: "x", omittingEmptySubsequences: false)
        guard parts.count == 2, let w = Int(parts[0]), let h = Int(parts[1]), w > 0, h > 0 else { return nil }
        self.init(width: w, height: h)
    }

    /// `WxH`.
    public var description: String { "\(width)x\(height)" }
}
