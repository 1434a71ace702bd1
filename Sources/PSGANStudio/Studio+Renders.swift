import Foundation
import Hummingbird
import PSGANKit

/// Submitting renders and reporting them.
extension Studio {
    /// `POST /api/renders` with `{"poses": ID, "seed": N, "look": {...}, "keyframes": [{"frame": F,
    /// "seed": N, "look": {...}}, ...], "frames": "A:B", "codec": C, "fps": F, "upscale": NAME|"none",
    /// "alpha": BOOL, "background": "#RRGGBB"}`: checks it as `psgan render` checks its options, and
    /// queues it.
    func submit(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let body = try await request.body.collect(upTo: 1 << 20)
        guard let object = try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any] else {
            return Self.problem("the render request is not a JSON object")
        }
        guard let posesID = object["poses"] as? String, let posesURL = workspace.poses(posesID) else {
            return Self.problem("open a pose file first", field: "poses")
        }
        do {
            let stills: Stills
            do { stills = try models.stills(object["model"] as? String) } catch { throw FieldError(field: "model", message: ErrorText.oneLine(error)) }
            let job = try renderJob(object, poses: posesURL, stills: stills)
            let id = Workspace.newID()
            var placed = job
            placed.output = workspace.renderURL(id, ext: job.output.pathExtension)
            let settings = String(decoding: (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data(), as: UTF8.self)
            queue.submit(placed, id: id, settings: settings)
            return Self.json(["id": id], status: .accepted)
        } catch let error as FieldError {
            return Self.problem(error.message, field: error.field)
        } catch {
            return Self.problem(ErrorText.oneLine(error))
        }
    }

    /// A problem with one setting of a render request.
    struct FieldError: Error {
        let field: String
        let message: String
    }

    /// The ``RenderJob`` a request asks for (its output a placeholder the caller replaces).
    func renderJob(_ object: [String: Any], poses: URL, stills: Stills) throws -> RenderJob {
        func text(_ key: String) -> String? { (object[key] as? String).flatMap { $0.isEmpty ? nil : $0 } }
        func characterValue(_ item: [String: Any]) throws -> Character {
            let seed = (item["seed"] as? NSNumber).map { "\($0.uint64Value)" }
            let look = (item["look"] as? [String: Any]).flatMap { try? JSONSerialization.data(withJSONObject: $0) }.map { String(decoding: $0, as: UTF8.self) }
            do {
                let character = try Self.character(seed: seed, look: look)
                _ = try character.latent(in: stills.space)  // the look checked against the schema now, not mid-render
                return character
            } catch { throw FieldError(field: "look", message: ErrorText.oneLine(error)) }
        }
        // Characters: one, or keyframes (written as files in the workspace for the job to read).
        var characters = RenderJob.Characters.seed(0)
        if let keyframes = object["keyframes"] as? [[String: Any]], !keyframes.isEmpty {
            var specs: [CharacterKeyframe] = []
            for item in keyframes {
                let character = try characterValue(item)
                let frame = (item["frame"] as? NSNumber)?.intValue ?? 0
                let file = try workspace.storeCharacter(characterFile(character))
                guard let spec = CharacterKeyframe("\(file.path)@\(frame)") else { throw FieldError(field: "keyframes", message: "keyframe frame \(frame) is not valid") }
                specs.append(spec)
            }
            characters = .keyframes(specs, interpolation: .slerp)
        } else {
            let character = try characterValue(object)
            if character.look != nil {
                let file = try workspace.storeCharacter(characterFile(character))
                characters = .keyframes([CharacterKeyframe("\(file.path)@0")!], interpolation: .slerp)
            } else if case .seed(let seed) = character.source {
                characters = .seed(seed)
            }
        }
        let codec: VideoCodec?
        do { codec = try text("codec").map { try VideoCodec(parsing: $0) } } catch { throw FieldError(field: "codec", message: "\(error)") }
        let resolved = codec ?? .h264
        guard resolved != .png else { throw FieldError(field: "codec", message: "the studio writes video files (png writes a folder of frames)") }
        let frames = try text("frames").map { value -> FrameRange in
            guard let range = FrameRange(value) else { throw FieldError(field: "frames", message: "frames must be A:B, A:, :B or N") }
            return range
        }
        let fps = (object["fps"] as? NSNumber)?.doubleValue
        if let fps, !FrameRate.isValid(fps) { throw FieldError(field: "fps", message: "the frame rate must be \(FrameRate.rangeDescription)") }
        let upscaling: RenderJob.Upscaling
        do { upscaling = try RenderJob.Upscaling(text("upscale").map { try BundledResources.upscalerSpec($0) }) } catch {
            throw FieldError(field: "upscale", message: ErrorText.oneLine(error))
        }
        let output = URL(fileURLWithPath: "/placeholder.\(resolved.defaultContainer.fileExtension ?? "mp4")")
        let cleanupValues = (object["cleanup"] as? [String: Any] ?? [:]).mapValues { "\($0)" }
        let cleanup = try Self.cleanup(cleanupValues)
        var input = PoseInput(url: poses, cleanup: cleanup)
        input.reading.canvas = try Self.canvas(cleanupValues)
        var job = RenderJob(model: stills.modelFile, poses: input, characters: characters, frames: frames,
                            codec: resolved, fps: fps, crf: nil, upscaling: upscaling, tile: nil, output: output)
        job.alpha = object["alpha"] as? Bool ?? false
        if job.alpha && !resolved.supportsAlpha {
            throw FieldError(field: "alpha", message: "codec '\(resolved.rawValue)' cannot carry an alpha channel (use \(VideoCodec.alphaCodecsList))")
        }
        if let colour = text("background") {
            // A colour, or a picture or plate uploaded before (its id).
            if let plate = workspace.plate(colour) {
                job.background = .file(plate)
            } else if let background = Background.color(parsing: colour) {
                job.background = background
            } else {
                throw FieldError(field: "background", message: "not a colour (#RRGGBB) or an uploaded picture or plate")
            }
            if job.alpha { throw FieldError(field: "background", message: "alpha and a background exclude each other") }
        }
        job.command = "psgan studio"
        return job
    }

    /// A character file's text for `character`.
    func characterFile(_ character: Character) -> String {
        var seed: UInt64 = 0
        if case .seed(let value) = character.source { seed = value }
        return "{\"seed\": \(seed)" + (character.look.map { ", \"look\": \($0.json)" } ?? "") + "}\n"
    }

    /// A render as the API reports it.
    static func summary(_ entry: RenderQueue.Entry) -> [String: Any] {
        var object: [String: Any] = ["id": entry.id, "state": entry.state.rawValue, "completed": entry.completed, "total": entry.total,
                                     "frames_per_second": entry.framesPerSecond, "settings": entry.settings]
        if let remaining = entry.remaining { object["eta_seconds"] = remaining }
        if let error = entry.error { object["error"] = error }
        if entry.output != nil { object["video"] = "/api/renders/\(entry.id)/video" }
        return object
    }
}
