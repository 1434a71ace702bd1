/// The box around every present keypoint of a pose sequence, in canvas pixels.
public struct FigureBounds: Equatable, Sendable {
    /// Left edge.
    public var minX: Double
    /// Top edge.
    public var minY: Double
    /// Right edge.
    public var maxX: Double
    /// Bottom edge.
    public var maxY: Double

    /// Creates a box from its edges.
    public init(minX: Double, minY: Double, maxX: Double, maxY: Double) {
        self.minX = minX
        self.minY = minY
        self.maxX = maxX
        self.maxY = maxY
    }

    /// The box around all present keypoints of all frames, or `nil` when none is present.
    public init?(_ poses: PoseSequence) {
        var minX = Double.infinity, minY = Double.infinity, maxX = -Double.infinity, maxY = -Double.infinity
        for frame in poses.frames {
            for k in frame where k.isPresent {
                minX = min(minX, k.x); maxX = max(maxX, k.x); minY = min(minY, k.y); maxY = max(maxY, k.y)
            }
        }
        guard minX.isFinite else { return nil }
        self.init(minX: minX, minY: minY, maxX: maxX, maxY: maxY)
    }

    /// Width in pixels.
    public var width: Double { maxX - minX }
    /// Height in pixels.
    public var height: Double { maxY - minY }
}
