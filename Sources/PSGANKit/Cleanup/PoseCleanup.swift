/// The cleanup steps asked for, applied in a fixed order (see `docs/pose-cleanup.md`).
///
/// Order: 1. confidence threshold, 2. horizontal flip, 3. gap filling, 4. One Euro smoothing,
/// 5. resampling, 6. retargeting. Every step is off by default, so an empty cleanup returns the
/// poses unchanged.
public struct PoseCleanup: Sendable {
    /// Keypoints with a lower confidence become missing.
    public var minConfidence: Double?
    /// Mirror left to right, swapping left and right keypoints.
    public var flip: Bool
    /// Fill gaps of up to this many frames (0: off).
    public var maxGap: Int
    /// Smooth with these One Euro parameters.
    public var smoothing: OneEuroFilter?
    /// Resample to this frame rate.
    public var resampleFPS: Double?
    /// Place the poses on the target canvas (the model's, a preview's; see ``apply(to:onto:)``) this way.
    public var retargeting: PoseRetargeting?

    /// The most frames resampling may make (a million: over 9 hours at 30 fps).
    public static let maximumFrames = 1_000_000

    /// Creates a cleanup; nothing is done unless asked.
    public init(minConfidence: Double? = nil, flip: Bool = false, maxGap: Int = 0, smoothing: OneEuroFilter? = nil,
                resampleFPS: Double? = nil, retargeting: PoseRetargeting? = nil) {
        self.minConfidence = minConfidence
        self.flip = flip
        self.maxGap = maxGap
        self.smoothing = smoothing
        self.resampleFPS = resampleFPS
        self.retargeting = retargeting
    }

    /// A one-line problem with the settings, or `nil` when they are usable.
    public var problem: String? {
        if let c = minConfidence, !(c.isFinite && c >= 0 && c <= 1) { return "the confidence threshold must be from 0 to 1" }
        if maxGap < 0 { return "the largest gap to fill must be 0 or more frames" }
        if let problem = smoothing?.problem { return problem }
        if let fps = resampleFPS, !FrameRate.isValid(fps) { return "the resampling rate must be \(FrameRate.rangeDescription)" }
        return retargeting?.problem
    }

    /// `poses` with every step asked for applied in order, retargeted onto `target` (nil: the poses'
    /// own canvas); a ``PSGANError`` (naming no file) for bad settings or a layout that cannot be flipped.
    public func apply(to poses: PoseSequence, onto target: CanvasSize? = nil) throws -> PoseSequence {
        if let problem { throw PSGANError(.poses, file: nil, problem: problem) }
        if let target, target.width <= 0 || target.height <= 0 {
            throw PSGANError(.poses, file: nil, problem: "the target canvas must have a positive size")
        }
        try poses.checkFrames()
        var result = poses
        if let minConfidence { result = result.thresholded(minConfidence: minConfidence) }
        if flip { result = try result.flippedHorizontally() }
        if maxGap > 0 { result = result.fillingGaps(maxGap: maxGap) }
        if let smoothing { result = result.smoothed(smoothing) }
        if let resampleFPS {
            let source = result.fps ?? PoseSequence.assumedFPS
            let count = Double(max(result.frameCount - 1, 0)) * resampleFPS / source + 1
            guard count <= Double(Self.maximumFrames) else {
                throw PSGANError(.poses, file: nil, problem: "resampling \(result.frameCount) frames from \(source.displayed()) to \(resampleFPS.displayed()) fps would make \((count.rounded(.down)).displayed()) frames; the limit is \(Self.maximumFrames)")
            }
            result = result.resampled(to: resampleFPS)
        }
        if let retargeting {
            let width = target.map { Double($0.width) } ?? result.canvasWidth
            let height = target.map { Double($0.height) } ?? result.canvasHeight
            result = retargeting.apply(to: result, width: width, height: height)
        }
        return result
    }
}
