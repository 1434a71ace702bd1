/// One 2D body keypoint: a position in pixels and a detection confidence.
///
/// Coordinates are in the pixel space of the pose's canvas: `x` grows to the right, `y` grows
/// downwards, `(0, 0)` is the top-left corner. A keypoint whose `confidence` is 0 is *missing*
/// (not detected, or not part of the source layout); its `x` and `y` carry no meaning.
public struct Keypoint: Equatable, Sendable {
    /// Horizontal position in pixels, growing to the right.
    public var x: Double
    /// Vertical position in pixels, growing downwards.
    public var y: Double
    /// Detection confidence in `[0, 1]`; 0 means the keypoint is missing.
    public var confidence: Double

    /// Creates a keypoint at `(x, y)` with the given confidence.
    public init(x: Double, y: Double, confidence: Double) {
        self.x = x
        self.y = y
        self.confidence = confidence
    }

    /// Whether the keypoint was detected (its confidence is above 0).
    public var isPresent: Bool { confidence > 0 }

    /// A missing keypoint: `(0, 0)` with confidence 0, as OpenPose writes it.
    public static let missing = Keypoint(x: 0, y: 0, confidence: 0)
}
