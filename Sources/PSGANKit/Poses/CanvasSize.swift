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

    /// The largest side psgan composites or writes.
    public static let maximumSide = 4096
    /// The most pixels psgan composites or writes in one frame: DCI 4K (4096x2160; UHD's 3840x2160
    /// fits too). At this size the heaviest encoder (VP9 with alpha) and the compositing (colour
    /// blended in double precision) keep one render under 2 GB; at 8K they took up to 8 GB.
    public static let maximumPixels = 4096 * 2160

    /// Whether psgan can composite and write a frame of this size (positive, within
    /// ``maximumSide`` and ``maximumPixels``).
    public var isWithinOutputLimits: Bool {
        width > 0 && height > 0 && width <= Self.maximumSide && height <= Self.maximumSide && width * height <= Self.maximumPixels
    }

    /// Throws a ``PSGANError`` naming `file` (and `place`) unless ``isWithinOutputLimits``.
    public func checkOutputLimits(file: String, place: String? = nil, kind: PSGANError.Kind = .render, what: String = "frame size") throws {
        guard !isWithinOutputLimits else { return }
        throw PSGANError(kind, file: file, place: place, "the \(what) \(self) is larger than psgan composites or writes (at most "
            + "\(Self.maximumSide) on a side and \(Self.maximumPixels) pixels, as 4096x2160)")
    }
}
