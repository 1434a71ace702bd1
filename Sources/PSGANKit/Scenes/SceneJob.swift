import Foundation

/// Renders a ``Scene``: every character's frames, matted, composited back to front over the
/// background, into one video (`psgan render --scene`).
///
/// All characters are drawn by one model. A character appears from its `start` frame for as many
/// frames as its poses have, and the clip lasts until the last one leaves (or as many frames as
/// ``frames`` selects). With ``alpha`` and no background the composite keeps its transparency.
public struct SceneJob: Sendable {
    /// What a finished scene produced.
    public struct Result: Sendable {
        public var output: URL
        public var frames: Int
        public var size: CanvasSize
        public var characters: Int
        public var codec: VideoCodec
        public var fps: Double
        public var seconds: Double
    }

    public var scene: Scene
    /// The generator file.
    public var model: URL
    /// The output frames to render; nil renders the whole scene.
    public var frames: FrameRange?
    public var codec: VideoCodec?
    /// Frames per second; nil uses the first character's poses' rate, else 30. Poses that record a
    /// rate are resampled to it (as a render's).
    public var fps: Double?
    public var crf: Int?
    /// Keep the transparency where no character is (only without a scene background).
    public var alpha = false
    /// An audio track, as a render's.
    public var audio: AudioTrack?
    /// The command line for the provenance tags.
    public var command: String?
    public var output: URL

    /// A scene job rendering `scene` with `model` into `output`.
    public init(scene: Scene, model: URL, output: URL) {
        self.scene = scene
        self.model = model
        self.output = output
    }

    /// One character, ready: its poses on the model's canvas and where they go.
    struct Cast {
        var actor: Scene.Actor
        var frames: [[Keypoint]]
        var track: CharacterTrack
        var placement: Placement
    }

    /// Reads everything, renders and writes the scene.
    public func run(temporaryOutput: (URL) -> Void = { _ in }, progress: ((RenderProgress) -> Void)? = nil) throws -> Result {
        if alpha && scene.background != nil {
            throw PSGANError(.render, file: scene.url.path, "--alpha needs a scene without a background (its frames are transparent where no character is)")
        }
        let psgan = try PSGANModel(contentsOf: model)
        let config = psgan.config
        let side = config.resolution
        if let size = scene.size { try size.checkOutputLimits(file: scene.url.path, place: "size", kind: .manifest, what: "canvas") }
        var plate = try BackgroundPlate(background: scene.background)
        if let size = scene.size, let own = plate.size, size != own {
            throw PSGANError(.manifest, file: scene.url.path, place: "size", "\(size) differs from the background's \(own) "
                + "(leave \"size\" out to take the background's)")
        }
        let size = scene.size ?? plate.size!
        var rate = fps
        var cast: [Cast] = []
        for actor in scene.drawingOrder {
            do {
                cast.append(try member(actor, rate: &rate, size: size, side: side, config: config,
                                       space: psgan.latentSpace(modelFile: model.path)))
            } catch let error as PSGANError {
                // Which scene and which of its characters the problem is in, before the problem itself.
                throw PSGANError(error.kind, file: scene.url.path, place: "character \(ErrorText.quoted(actor.name))", error.description)
            }
        }
        let fps = rate ?? PoseSequence.assumedFPS
        plate.outputFPS = fps
        let length = cast.map { $0.actor.start + $0.frames.count }.max() ?? 0
        var range = try PSGANError.naming(scene.url.path) { try (frames ?? .all).resolve(frameCount: length) }

        let videoCodec = VideoCodec.resolved(codec, for: output)
        var settings = VideoSettings(codec: videoCodec, fps: fps, crf: crf)
        settings.alpha = alpha
        settings.audio = audio
        settings.metadata = try Provenance.tags(model: model, poses: scene.url,
                                                characters: cast.map { "\($0.actor.name): \($0.actor.characters.summary)" }.joined(separator: "; "), command: command)
        if let audio {
            range = range.lowerBound ..< range.lowerBound + (try audio.frames(toRender: range.count, fps: fps, output: output))
        }
        let renderer = Renderer(model: psgan)
        let matte = Matte()
        let writer = try VideoWriter(url: output, width: size.width, height: size.height, settings: settings)
        temporaryOutput(writer.temporaryURL)
        let started = Date()
        try writer.complete {
            for (done, t) in range.enumerated() {
                var layers: [(image: RGBAImage, placement: Placement)] = []
                for member in cast {
                    let f = t - member.actor.start
                    guard f >= 0, f < member.frames.count else { continue }
                    let image = renderer.frame(keypoints: member.frames[f], latent: member.track.latent(at: f))
                    layers.append((matte.extract(from: image), member.placement))
                }
                if alpha {
                    try writer.append(Compositor.compositeWithAlpha(layers, size: size))
                } else {
                    try writer.append(Compositor.composite(layers, over: try plate.frame(size: size)))
                }
                progress?(RenderProgress(completed: done + 1, total: range.count, elapsed: Date().timeIntervalSince(started)))
            }
        }
        return Result(output: output, frames: range.count, size: size, characters: cast.count, codec: videoCodec, fps: fps,
                      seconds: Date().timeIntervalSince(started))
    }

    /// One character of the scene, ready: its poses read (the first character's rate becomes the
    /// clip's when none is set), placed, and prepared for the model.
    private func member(_ actor: Scene.Actor, rate: inout Double?, size: CanvasSize, side: Int, config: GeneratorConfig,
                        space: LatentSpace) throws -> Cast {
        var input = actor.poses
        // The poses as placed in their own canvas (no retargeting), read at most once here.
        var plain = input
        plain.cleanup.retargeting = nil
        var placed: PoseSequence?
        if rate == nil {
            // The first character's rate is the clip's, so retiming it to that rate changes nothing.
            placed = try plain.read()
            rate = placed!.fps ?? PoseSequence.assumedFPS
        }
        input.cleanup.retimeFPS = rate
        plain.cleanup.retimeFPS = rate
        let placement: Placement
        switch actor.place {
        case .at(let given):
            placement = given
        case .pose:
            // Fit the figure's box (with a margin) into the model's frame, and put that frame
            // where the box is on the pose canvas, fitted onto the output.
            let poses = try placed ?? plain.read()
            guard let box = FigureBounds(poses) else {
                throw PSGANError(.poses, file: input.displayPath, problem: "no keypoint is present, so the character has no place")
            }
            // The figure fills 60% of the frame, as in the training renders (the drawn head
            // reaches above the head keypoints).
            let square = max(box.width, box.height, 1) / 0.6
            input.cleanup.retargeting = .fixedScale(Double(side) / square)
            let k = min(Double(size.width) / poses.canvasWidth, Double(size.height) / poses.canvasHeight)
            let offsetX = (Double(size.width) - poses.canvasWidth * k) / 2, offsetY = (Double(size.height) - poses.canvasHeight * k) / 2
            placement = Placement(x: (box.minX + box.maxX) / 2 * k + offsetX, y: (box.minY + box.maxY) / 2 * k + offsetY,
                                  scale: square / Double(side) * k)
        }
        let prepared = try input.prepared(for: config, modelFile: model.path)
        return Cast(actor: actor, frames: prepared.frames, track: try actor.characters.track(in: space),
                    placement: placement)
    }
}
