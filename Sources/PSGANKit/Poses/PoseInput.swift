import Foundation

/// The pose stage's input: a pose file (or OpenPose directory), how to read it, and the cleanup.
///
/// Every command that takes poses (`psgan render`, `psgan batch`, `psgan pose ...`) describes them
/// with this one value and reads them through it, so reading options, cleanup and the errors'
/// file names are the same everywhere. ``read(onto:)`` gives the cleaned-up sequence;
/// ``prepared(for:)`` goes on to the model's layout and canvas.
public struct PoseInput: Sendable {
    /// The pose file, or a directory of OpenPose `*_keypoints.json` files.
    public var url: URL
    /// How to read it: format, person, canvas, BVH camera, frame rate of input that records none.
    public var reading: PoseReadOptions
    /// The cleanup applied after reading; its retargeting places the poses on the target canvas.
    public var cleanup: PoseCleanup

    /// Pose input at `url`, read with `reading` and cleaned up with `cleanup` (by default neither
    /// changes anything).
    public init(url: URL, reading: PoseReadOptions = PoseReadOptions(), cleanup: PoseCleanup = PoseCleanup()) {
        self.url = url
        self.reading = reading
        self.cleanup = cleanup
    }

    /// How messages name the input: its path as given.
    public var displayPath: String { url.path }

    /// The input's format: the one ``reading`` names, else told from the content as ``read(onto:)`` does.
    public func format() throws -> PoseFormat {
        try reading.format ?? PoseFileReader.format(of: url)
    }

    /// The poses read and cleaned up; a retargeting places them on `target` (nil: their own canvas).
    ///
    /// - Throws: a ``PSGANError`` naming the file (and frame and keypoint where they apply).
    public func read(onto target: CanvasSize? = nil) throws -> PoseSequence {
        let poses = try PoseFileReader.read(url, options: reading)
        return try PSGANError.naming(displayPath) { try cleanup.apply(to: poses, onto: target) }
    }

    /// The poses ready for `config`'s generator: read, cleaned up, in its layout, on its canvas.
    ///
    /// - Parameter modelFile: the model's file, named in a layout mismatch's message.
    public func prepared(for config: GeneratorConfig, modelFile: String) throws -> PreparedPoses {
        try prepared(for: PoseTarget(config: config, modelFile: modelFile))
    }

    /// The poses ready for `target`: read, cleaned up (retargeted onto the target canvas when asked),
    /// converted to the target's layout, and fitted onto its canvas (one uniform scale, centred; see
    /// ``CanvasMapping``) unless a retargeting already placed them there.
    public func prepared(for target: PoseTarget) throws -> PreparedPoses {
        try read(onto: target.canvas).prepared(for: target, source: displayPath)
    }
}

/// What poses are prepared for: a canvas, a keypoint layout, and who needs them (for messages).
public struct PoseTarget: Sendable {
    /// The canvas the poses end on (a model's square, a preview's size).
    public var canvas: CanvasSize
    /// The layout name (`coco18`, `body25`, ...).
    public var layout: String
    /// Keypoints per frame in that layout.
    public var keypointCount: Int
    /// What needs this layout, for a mismatch's message: `model g.safetensors`, `previews draw COCO-18`.
    public var consumer: String

    /// The target a generator of `config` (read from `modelFile`) needs: its square canvas and layout.
    public init(config: GeneratorConfig, modelFile: String) {
        self.init(canvas: CanvasSize(side: config.resolution), layout: config.poseLayout, keypointCount: config.poseKeypoints,
                  consumer: "model \(modelFile)")
    }

    /// A target of `canvas`, `layout` and `keypointCount`, needed by `consumer`.
    public init(canvas: CanvasSize, layout: String, keypointCount: Int, consumer: String) {
        self.canvas = canvas
        self.layout = layout
        self.keypointCount = keypointCount
        self.consumer = consumer
    }
}

/// Poses ready for a generator (or a preview): keypoints in its layout on its canvas, with the
/// frame rate they were recorded at and the file they came from.
public struct PreparedPoses: Sendable {
    /// The pose input they came from, as messages name it.
    public var source: String
    /// The keypoint layout.
    public var layout: String
    /// The canvas the keypoints are on.
    public var canvas: CanvasSize
    /// The recorded (or resampled, or given) frame rate; nil when unknown.
    public var fps: Double?
    /// One keypoint list per frame.
    public var frames: [[Keypoint]]

    /// Prepared poses from their parts.
    public init(source: String, layout: String, canvas: CanvasSize, fps: Double?, frames: [[Keypoint]]) {
        self.source = source
        self.layout = layout
        self.canvas = canvas
        self.fps = fps
        self.frames = frames
    }

    /// The number of frames.
    public var frameCount: Int { frames.count }

    /// The frames `range` selects (nil: all); an error naming ``source`` when it selects none or
    /// reaches past the end.
    public func frames(_ range: FrameRange?) throws -> Range<Int> {
        try PSGANError.naming(source) { try (range ?? .all).resolve(frameCount: frameCount) }
    }
}

extension PoseSequence {
    /// These poses ready for `target`: converted to its layout and fitted onto its canvas (the
    /// identity when a retargeting already placed them there); `source` names them in messages.
    public func prepared(for target: PoseTarget, source: String) throws -> PreparedPoses {
        let converted: PoseSequence
        do {
            converted = try self.converted(toLayout: target.layout, keypointCount: target.keypointCount)
        } catch var error as PSGANError where error.file == nil {
            // A layout the target cannot take: name the input and what needed the layout.
            error.file = source
            error.problem += " (\(target.consumer))"
            throw error
        }
        let fitted = converted.fitted(onto: target.canvas)
        return PreparedPoses(source: source, layout: fitted.layout, canvas: target.canvas, fps: fitted.fps, frames: fitted.frames)
    }

    /// The poses fitted onto `canvas`: one uniform scale keeping the aspect ratio, centred. A square
    /// canvas uses ``CanvasMapping/init(fitting:height:into:)`` (exactly the identity when the poses
    /// are already on it), any other ``PoseRetargeting/fitCanvas``.
    public func fitted(onto canvas: CanvasSize) -> PoseSequence {
        if canvas.width == canvas.height {
            return mapped(to: CanvasMapping(fitting: canvasWidth, height: canvasHeight, into: canvas.width))
        }
        return PoseRetargeting.fitCanvas.apply(to: self, width: Double(canvas.width), height: Double(canvas.height))
    }
}
