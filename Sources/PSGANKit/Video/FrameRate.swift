/// The frame rates psgan accepts, checked once where a rate enters: pose files, BVH headers,
/// command-line options and batch manifests; the video writer checks it again as a last guard.
///
/// From 0.01 (a frame every 100 s) to 1000 frames per second: every such rate has an exact or
/// close ratio in the containers' time bases, and a rate outside it is a typo or a broken file
/// (a BVH `Frame Time: 1e-300`, an `fps` of 1e19), not a video.
public enum FrameRate {
    /// The accepted rates, in frames per second.
    public static let range: ClosedRange<Double> = 0.01...1000

    /// Whether `fps` is a finite rate inside ``range``.
    public static func isValid(_ fps: Double) -> Bool {
        fps.isFinite && range.contains(fps)
    }

    /// "from 0.01 to 1000 fps": the range as messages give it.
    public static let rangeDescription = "from 0.01 to 1000 fps"
}
