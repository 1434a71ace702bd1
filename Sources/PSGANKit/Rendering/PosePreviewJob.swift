import Foundation

/// A pose preview, described by value: the poses drawn as OpenPose-style skeletons, encoded like a render.
///
/// The poses go through the same stage as a render's (``PoseInput/prepared(for:)``) onto the
/// preview canvas in the COCO-18 layout, then ``SkeletonPainter`` draws each frame and a
/// ``VideoWriter`` writes them under a temporary name, renamed when complete.
public struct PosePreviewJob: Sendable {
    /// What a finished preview produced.
    public struct Result: Sendable {
        /// The finished output.
        public var output: URL
        /// Frames written.
        public var frames: Int
        /// The preview's size.
        public var size: CanvasSize
        /// The codec used.
        public var codec: VideoCodec
        /// The video's frame rate.
        public var fps: Double
    }

    /// The poses; a retargeting places them on the preview canvas (default: the pose canvas fitted).
    public var poses: PoseInput
    /// The preview's size in pixels.
    public var size: CanvasSize
    /// The frames to draw (of the cleaned-up sequence); nil draws all.
    public var frames: FrameRange?
    /// The codec; nil picks it from the output's extension.
    public var codec: VideoCodec?
    /// Frames per second; nil uses the poses' rate, else 30.
    public var fps: Double?
    /// With ``fps``: one pose frame per video frame instead of retiming the poses to it.
    public var framePerPose = false
    /// Where the finished video (or PNG directory) appears.
    public var output: URL

    /// A preview of `poses` into `output`; the defaults are those of `psgan pose preview`.
    public init(poses: PoseInput, size: CanvasSize = CanvasSize(side: 512), frames: FrameRange? = nil,
                codec: VideoCodec? = nil, fps: Double? = nil, output: URL) {
        self.poses = poses
        self.size = size
        self.frames = frames
        self.codec = codec
        self.fps = fps
        self.output = output
    }

    /// Reads the poses, draws and encodes every selected frame; nothing is left behind on failure.
    ///
    /// - Parameter temporaryOutput: called with the writer's temporary name before any frame.
    public func run(temporaryOutput: (URL) -> Void = { _ in }) throws -> Result {
        var poses = self.poses
        // As a render does: poses that record their rate are retimed to the video's, so the motion
        // plays at its real speed.
        if let fps, !framePerPose { poses.cleanup.retimeFPS = fps }
        let prepared = try poses.prepared(for: PoseTarget(canvas: size, layout: "coco18", keypointCount: 18,
                                                          consumer: "previews draw COCO-18"))
        let range = try prepared.frames(frames)
        let videoCodec = VideoCodec.resolved(codec, for: output)
        let settings = VideoSettings(codec: videoCodec, fps: fps ?? prepared.fps ?? PoseSequence.assumedFPS)
        let painter = SkeletonPainter(width: size.width, height: size.height)
        let writer = try VideoWriter(url: output, width: size.width, height: size.height, settings: settings)
        temporaryOutput(writer.temporaryURL)
        try writer.complete {
            for index in range { try writer.append(painter.draw(prepared.frames[index])) }
        }
        return Result(output: output, frames: range.count, size: size, codec: videoCodec, fps: settings.fps)
    }
}
