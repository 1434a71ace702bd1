/// The cleanup steps asked for, applied in a fixed order (see `docs/pose-cleanup.md`).
///
/// Order: 1. confidence threshold, 2. horizontal flip, 3. gap filling, 4. One Euro smoothing,
/// 5. resampling, 6. retiming, 7. retargeting, 8. looping. Every step is off by default, so an empty cleanup returns the
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
    /// Resample to this frame rate only when the poses record one (`--fps` keeping the motion's real
    /// speed); poses of unknown rate keep one pose per frame.
    public var retimeFPS: Double?
    /// Make the sequence loop.
    public var loop: PoseLoop?
    /// Place the poses on the target canvas (the model's, a preview's; see ``apply(to:onto:)``) this way.
    public var retargeting: PoseRetargeting?

    /// The most frames resampling may make (a million: over 9 hours at 30 fps).
    public static let maximumFrames = 1_000_000

    /// Creates a cleanup; nothing is done unless asked.
    public init(minConfidence: Double? = nil, flip: Bool = false, maxGap: Int = 0, smoothing: OneEuroFilter? = nil,
                resampleFPS: Double? = nil, retimeFPS: Double? = nil, retargeting: PoseRetargeting? = nil, loop: PoseLoop? = nil) {
        self.minConfidence = minConfidence
        self.flip = flip
        self.maxGap = maxGap
        self.smoothing = smoothing
        self.resampleFPS = resampleFPS
        self.retimeFPS = retimeFPS
        self.retargeting = retargeting
        self.loop = loop
    }

    /// A one-line problem with the settings, or `nil` when they are usable.
    public var problem: String? {
        if let c = minConfidence, !(c.isFinite && c >= 0 && c <= 1) { return "the confidence threshold must be from 0 to 1" }
        if maxGap < 0 { return "the largest gap to fill must be 0 or more frames" }
        if let problem = smoothing?.problem { return problem }
        if let fps = resampleFPS, !FrameRate.isValid(fps) { return "the resampling rate must be \(FrameRate.rangeDescription)" }
        if let fps = retimeFPS, !FrameRate.isValid(fps) { return "the frame rate must be \(FrameRate.rangeDescription)" }
        if case .blend(let n)? = loop, n < 1 { return "a loop blend needs at least 1 frame" }
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
        if let resampleFPS { result = try Self.resampling(result, to: resampleFPS) }
        if let retimeFPS, let recorded = result.fps, abs(recorded - retimeFPS) > 1e-9 {
            result = try Self.resampling(result, to: retimeFPS)
        }
        if let retargeting {
            let width = target.map { Double($0.width) } ?? result.canvasWidth
            let height = target.map { Double($0.height) } ?? result.canvasHeight
            result = retargeting.apply(to: result, width: width, height: height)
        }
        if let loop { result = try loop.apply(to: result) }
        return result
    }

    /// `poses` resampled to `fps`, refused when it would make more than ``maximumFrames`` frames.
    static func resampling(_ poses: PoseSequence, to fps: Double) throws -> PoseSequence {
        let source = poses.fps ?? PoseSequence.assumedFPS
        let count = Double(max(poses.frameCount - 1, 0)) * fps / source + 1
        guard count <= Double(maximumFrames) else {
            throw PSGANError(.poses, file: nil, problem: "resampling \(poses.frameCount) frames from \(source.displayed()) to \(fps.displayed()) fps would make \((count.rounded(.down)).displayed()) frames; the limit is \(maximumFrames)")
        }
        return poses.resampled(to: fps)
    }
}
