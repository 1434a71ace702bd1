/// A sequence of body poses, one frame of keypoints per video frame, on a pixel canvas.
///
/// Every frame holds `keypointCount` keypoints in the order of the layout called `layout`
/// (see ``KeypointLayout``). Coordinates are pixels on a `canvasWidth x canvasHeight` canvas,
/// `x` right and `y` down. Read one with ``PoseFileReader``, write one with ``PoseFileWriter``.
public struct PoseSequence: Equatable, Sendable {
    /// The keypoint layout's name: `coco18`, `body25`, or a file's own layout name.
    public var layout: String
    /// The number of keypoints in every frame.
    public var keypointCount: Int
    /// Frames per second, if the source recorded it (OpenPose output does not).
    public var fps: Double?
    /// Width of the canvas the coordinates refer to, in pixels.
    public var canvasWidth: Double
    /// Height of the canvas the coordinates refer to, in pixels.
    public var canvasHeight: Double
    /// The poses, one array of `keypointCount` keypoints per frame.
    public var frames: [[Keypoint]]

    /// Creates a pose sequence; `frames` should hold `keypointCount` keypoints each.
    public init(layout: String, keypointCount: Int, fps: Double?,
                canvasWidth: Double, canvasHeight: Double, frames: [[Keypoint]]) {
        self.layout = layout
        self.keypointCount = keypointCount
        self.fps = fps
        self.canvasWidth = canvasWidth
        self.canvasHeight = canvasHeight
        self.frames = frames
    }

    /// The number of frames.
    public var frameCount: Int { frames.count }

    /// The same poses in another keypoint layout, such as the one a model was trained on.
    ///
    /// Matching layout names (built-in names compare ignoring case, `-` and `_`) with matching
    /// keypoint counts give the poses unchanged. Between `coco18` and `body25`, keypoints are
    /// carried over by name: going to `body25`, `MidHip` becomes the midpoint of `RHip` and `LHip`
    /// (with the lower of their confidences) when both are present, and is missing otherwise, and
    /// the six foot keypoints are missing; going to `coco18`, `MidHip` and the feet are dropped.
    /// Any other pair of layouts throws a ``PSGANError``.
    public func converted(toLayout name: String, keypointCount: Int) throws -> PoseSequence {
        let source = KeypointLayout.canonicalName(layout)
        let target = KeypointLayout.canonicalName(name)
        if source == target {
            guard self.keypointCount == keypointCount else {
                throw PSGANError(.poses, file: nil, problem: "the pose layout '\(layout)' has \(self.keypointCount) keypoints per frame but the model's layout '\(name)' has \(keypointCount)")
            }
            try checkFrames()
            return self
        }
        guard let from = KeypointLayout.builtIn(named: layout),
              let to = KeypointLayout.builtIn(named: name) else {
            throw PSGANError(.poses, file: nil, problem: "the pose layout \(ErrorText.quoted(layout)) does not match the model's layout \(ErrorText.quoted(name)); only coco18 and body25 convert into each other")
        }
        guard to.count == keypointCount else {
            throw PSGANError(.poses, file: nil, problem: "the model's layout '\(name)' has \(keypointCount) keypoints, but \(to.name) has \(to.count)")
        }
        guard self.keypointCount == from.count else {
            throw PSGANError(.poses, file: nil, problem: "the pose layout '\(layout)' has \(self.keypointCount) keypoints per frame, but \(from.name) has \(from.count)")
        }
        try checkFrames()

        // For each target keypoint, the source index with the same name (nil: none).
        let sourceIndex = to.keypointNames.map { from.index(of: $0) }
        let rightHip = from.index(of: "RHip")
        let leftHip = from.index(of: "LHip")

        var result = self
        result.layout = to.name
        result.keypointCount = to.count
        result.frames = frames.map { frame in
            to.keypointNames.indices.map { i in
                if let j = sourceIndex[i] { return frame[j] }
                if to.keypointNames[i] == "MidHip", let r = rightHip, let l = leftHip {
                    return Self.midpoint(frame[r], frame[l])
                }
                return .missing
            }
        }
        return result
    }

    /// The poses carried onto another canvas by `mapping` (see ``CanvasMapping``).
    ///
    /// Missing keypoints stay missing. The canvas becomes `canvasWidth * scale + 2 * offsetX` by
    /// `canvasHeight * scale + 2 * offsetY`, which is `R x R` for
    /// ``CanvasMapping/init(fitting:height:into:)``.
    public func mapped(to mapping: CanvasMapping) -> PoseSequence {
        var result = self
        let canvas = mapping.mappedCanvas(width: canvasWidth, height: canvasHeight)
        result.canvasWidth = canvas.width
        result.canvasHeight = canvas.height
        result.frames = frames.map { $0.map(mapping.apply) }
        return result
    }

    /// Throws unless every frame holds `keypointCount` keypoints.
    func checkFrames() throws {
        if let bad = frames.firstIndex(where: { $0.count != keypointCount }) {
            throw PSGANError(.poses, file: nil, frame: bad, problem: "has \(PSGANError.count(frames[bad].count, "keypoint")); expected \(keypointCount)")
        }
    }

    private static func midpoint(_ a: Keypoint, _ b: Keypoint) -> Keypoint {
        guard a.isPresent, b.isPresent else { return .missing }
        return Keypoint(x: (a.x + b.x) / 2, y: (a.y + b.y) / 2, confidence: min(a.confidence, b.confidence))
    }
}
