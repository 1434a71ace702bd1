/// A uniform scale plus offset that carries pose coordinates from one canvas onto another.
///
/// A point maps as `x' = x * scale + offsetX`, `y' = y * scale + offsetY`. The usual mapping is
/// ``init(fitting:height:into:)``, which fits a `W x H` pose canvas into the model's square
/// `R x R` canvas, keeping the aspect ratio and centring it.
public struct CanvasMapping: Equatable, Sendable {
    /// The factor both coordinates are multiplied by.
    public var scale: Double
    /// Added to `x` after scaling.
    public var offsetX: Double
    /// Added to `y` after scaling.
    public var offsetY: Double

    /// Creates a mapping from its scale and offsets.
    public init(scale: Double, offsetX: Double, offsetY: Double) {
        self.scale = scale
        self.offsetX = offsetX
        self.offsetY = offsetY
    }

    /// The mapping that fits a `width x height` canvas into a `resolution x resolution` square.
    ///
    /// One uniform scale `s = R / max(W, H)` keeps the aspect ratio; the shorter side is centred:
    /// `x' = x * s + (R - W * s) / 2`, `y' = y * s + (R - H * s) / 2`. When `W = H = R` this is
    /// exactly the identity. For example 640 x 480 onto 256 gives `s = 0.4` and offsets `(0, 32)`.
    ///
    /// A canvas without a positive, finite size cannot be fitted; it gives the identity mapping.
    public init(fitting width: Double, height: Double, into resolution: Int) {
        let side = Double(resolution)
        let longest = max(width, height)
        guard longest > 0, longest.isFinite, width.isFinite, height.isFinite, side > 0 else {
            self.init(scale: 1, offsetX: 0, offsetY: 0)
            return
        }
        let s = side / longest
        self.init(scale: s, offsetX: (side - width * s) / 2, offsetY: (side - height * s) / 2)
    }

    /// Maps one keypoint; the confidence is unchanged and a missing keypoint is returned as is.
    public func apply(_ k: Keypoint) -> Keypoint {
        guard k.isPresent else { return k }
        return Keypoint(x: k.x * scale + offsetX, y: k.y * scale + offsetY, confidence: k.confidence)
    }

    /// The size of a `width x height` canvas after mapping: scaled, then padded by the offsets
    /// on both sides. For a mapping made by ``init(fitting:height:into:)`` this is `R x R`.
    func mappedCanvas(width: Double, height: Double) -> (width: Double, height: Double) {
        (snapped(width * scale + 2 * offsetX), snapped(height * scale + 2 * offsetY))
    }

    /// `value` rounded to the nearest whole number when it is within rounding error of it.
    private func snapped(_ value: Double) -> Double {
        let whole = value.rounded()
        return abs(value - whole) <= 1e-9 * max(1, abs(whole)) ? whole : value
    }
}
