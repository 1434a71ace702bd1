import Foundation
import PSGANKit

/// The model kept loaded for stills: one character in one pose, at the model's size, as a PNG
/// (a few milliseconds for the bundled model). Stills are drawn one at a time; renders load the
/// model themselves and run beside them.
final class Stills: @unchecked Sendable {
    let modelFile: URL
    let model: PSGANModel
    private let renderer: Renderer
    private let lock = NSLock()

    init(model url: URL) throws {
        modelFile = url
        model = try PSGANModel(contentsOf: url)
        renderer = Renderer(model: model)
    }

    /// The model's latent space (its look schema).
    var space: LatentSpace { model.latentSpace(modelFile: modelFile.path) }

    /// The PNG of `character` in `keypoints` (the model's canvas).
    func png(keypoints: [Keypoint], character: Character) throws -> Data {
        try png(keypoints: keypoints, latent: try character.latent(in: space))
    }

    /// The PNG of the character `latent` names in `keypoints`.
    func png(keypoints: [Keypoint], latent: [Float]) throws -> Data {
        let image = lock.withLock { renderer.frame(keypoints: keypoints, latent: latent) }
        return try PNGFile.encode(image)
    }

    /// The poses of `url`, cleaned up, prepared for the model (as a render prepares them).
    func prepared(_ url: URL, cleanup: PoseCleanup = PoseCleanup(), canvas: CanvasSize? = nil) throws -> PreparedPoses {
        var input = PoseInput(url: url, cleanup: cleanup)
        input.reading.canvas = canvas
        return try input.prepared(for: model.config, modelFile: modelFile.path)
    }
}
