import ArgumentParser
import Foundation
import PSGANKit

/// The options that say how to read pose input, shared by `psgan render` and `psgan pose ...`.
struct PoseInputOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Input format, when not told from the content: native, openpose, comfyui, coco, mmpose or bvh.", valueName: "FORMAT"))
    var from: PoseFormat?

    @Option(help: ArgumentHelp("The person to take from frames with several (0 is the first listed); default: the largest.", valueName: "N"))
    var person: Int?

    @Option(help: ArgumentHelp("The input's canvas size: needed for OpenPose and MMPose; overrides native, ComfyUI and COCO sizes; for BVH the canvas to project onto (default 512x512).", valueName: "WxH"))
    var canvas: CanvasSize?

    @Option(name: .customLong("input-fps"), help: ArgumentHelp("Frame rate of input that records none (OpenPose, ComfyUI, COCO, MMPose); default 30.", valueName: "F"))
    var inputFPS: Double?

    @Option(name: .customLong("coco-order"), help: "Order of COCO images as frames: id or name (file_name, numbers compared as numbers).")
    var cocoOrder: COCOImageOrder = .id

    @Option(help: "BVH camera: degrees around the performer from their front (90: their left side, 180: behind).")
    var azimuth = 0.0

    @Option(help: "BVH camera: degrees above the horizon (-89 to 89).")
    var elevation = 0.0

    @Option(help: "BVH camera: distance in performer heights (perspective only).")
    var distance = 3.0

    @Option(help: "BVH projection: perspective or orthographic.")
    var projection: BVHCamera.Projection = .perspective

    func validate() throws {
        if let person, person < 0 { throw ValidationError("--person must be 0 or more") }
        try OptionChecks.frameRate(inputFPS, option: "--input-fps")
        if let problem = reading.camera.problem { throw ValidationError(problem) }
    }

    /// The reader's options.
    var reading: PoseReadOptions {
        PoseReadOptions(format: from, person: person.map(PersonSelection.index) ?? .largest, canvas: canvas,
                        cocoOrder: cocoOrder,
                        camera: BVHCamera(azimuth: azimuth, elevation: elevation, distance: distance, projection: projection),
                        inputFPS: inputFPS)
    }

    /// The pose input at `path`, read with these options and cleaned up as `cleaning` says.
    func input(_ path: String, cleaning: PoseCleanupOptions) -> PoseInput {
        PoseInput(url: URL(fileURLWithPath: path), reading: reading, cleanup: cleaning.cleanup)
    }
}

extension PoseFormat: ExpressibleByArgument {}
extension COCOImageOrder: ExpressibleByArgument {}
extension BVHCamera.Projection: ExpressibleByArgument {}
extension CanvasSize: ExpressibleByArgument {
    public init?(argument: String) { self.init(parsing: argument) }
}
