import Foundation

/// Turns a pose sequence and a character track into frames, one generator pass per pose frame.
public final class Renderer {
    /// The model being rendered.
    public let model: PSGANModel
    private let generator: Generator

    /// Prepares a renderer (and its generator's scratch memory) for `model`.
    public init(model: PSGANModel) {
        self.model = model
        self.generator = Generator(model: model)
    }

    /// The pose frames in the model's layout and canvas, ready for the generator.
    ///
    /// The layout is converted when the pose file's and the model's differ (only `coco18` and
    /// `body25` convert); the pose canvas is fitted onto the model's square canvas with one uniform
    /// scale, centred (see ``CanvasMapping``).
    public static func prepare(_ poses: PoseSequence, for config: GeneratorConfig) throws -> [[Keypoint]] {
        try poses.converted(toLayout: config.poseLayout, keypointCount: config.poseKeypoints)
            .fitted(onto: CanvasSize(side: config.resolution)).frames
    }

    /// Frames of ``render(poses:track:frames:queueDepth:sink:progress:)`` taken from an earlier
    /// frame with the same inputs instead of being generated (see ``FrameMemo``).
    public private(set) var reusedFrames = 0

    /// Bytes of generated frames a render keeps for reuse.
    static let memoBudget = 32 << 20

    /// The 8-bit frame for one pose (model-canvas keypoints) and latent.
    public func frame(keypoints: [Keypoint], latent: [Float]) -> RGBImage {
        frame(conditions: ConditionMaps(pose: keypoints, config: model.config), latent: latent)
    }

    private func frame(conditions: ConditionMaps, latent: [Float]) -> RGBImage {
        let rgb = generator.forward(latent: latent, conditions: conditions)
        return Generator.quantize(rgb, size: model.config.resolution)
    }

    /// Renders `frames` of `poses` (prepared by ``prepare(_:for:)``), handing each image to `sink`
    /// in order, and reporting after each frame has gone through `sink`.
    ///
    /// A frame whose latent and keypoint pixels repeat an earlier frame's (a loop, a hold) is that
    /// frame again, bit for bit, and is not generated twice (``reusedFrames`` counts them).
    ///
    /// Generation and `sink` (upscaling, encoding) overlap: `sink` runs on a serial background queue
    /// while the next frame is generated on the calling thread, with at most `queueDepth` frames
    /// waiting, so memory stays bounded. `sink` and `progress` are called on that queue, one frame at
    /// a time, in frame order. When `sink` throws, generation stops and the error is rethrown here
    /// once the queue has drained.
    public func render(poses: [[Keypoint]], track: CharacterTrack, frames: Range<Int>,
                       queueDepth: Int = 2,
                       sink: (Int, RGBImage) throws -> Void,
                       progress: ((RenderProgress) -> Void)? = nil) throws {
        let start = DispatchTime.now().uptimeNanoseconds
        let queue = DispatchQueue(label: "psgan.render.sink")
        let slots = DispatchSemaphore(value: max(1, queueDepth))
        let failure = FailureBox()
        let memo = FrameMemo<GeneratorInputs, RGBImage>(budget: Self.memoBudget) { $0.pixels.count }
        defer { reusedFrames = memo.hits }
        try withoutActuallyEscaping(sink) { sink in
            try withoutActuallyEscaping(progress ?? { _ in }) { progress in
                for (done, index) in frames.enumerated() {
                    if failure.error != nil { break }
                    let latent = track.latent(at: index)
                    let conditions = ConditionMaps(pose: poses[index], config: model.config)
                    let image = memo.value(for: GeneratorInputs(latent: latent, conditions: conditions)) {
                        frame(conditions: conditions, latent: latent)
                    }
                    slots.wait()
                    queue.async {
                        defer { slots.signal() }
                        guard failure.error == nil else { return }
                        do {
                            try sink(index, image)
                            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                            progress(RenderProgress(completed: done + 1, total: frames.count, elapsed: elapsed))
                        } catch {
                            failure.error = error
                        }
                    }
                }
                queue.sync {}
                if let error = failure.error { throw error }
            }
        }
    }
}

/// The first error thrown on the sink queue, read by the generating thread.
private final class FailureBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Error?

    var error: Error? {
        get { lock.withLock { stored } }
        set { lock.withLock { if stored == nil { stored = newValue } } }
    }
}
