import Foundation
import Hummingbird
import PSGANKit

/// The JSON API (`docs/studio.md`). Files are addressed by the ids the server gave them.
extension Studio {
    func addAPI(to router: Router<BasicRequestContext>) {
        router.get("/api/status") { request, _ in
            do { return try self.status(Self.parameters(request.uri.queryParameters)["model"]) } catch {
                return Self.problem(ErrorText.oneLine(error), field: "model")
            }
        }
        router.post("/api/models") { request, _ in try await self.uploadModel(request) }
        router.post("/api/plates") { request, _ in
            guard let body = try? await request.body.collect(upTo: self.configuration.maximumUpload) else {
                return Self.problem("the file is larger than the studio takes", status: .contentTooLarge, field: "background")
            }
            let id = try self.workspace.storePlate(Data(buffer: body), name: request.uri.queryParameters.get("name") ?? "plate.png")
            do {
                _ = try Background(parsing: self.workspace.plate(id)!.path)
            } catch {
                try? FileManager.default.removeItem(at: self.workspace.plate(id)!)
                return Self.problem(ErrorText.oneLine(error).replacingOccurrences(of: self.workspace.folder.path + "/plates/", with: ""), field: "background")
            }
            return Self.json(["id": id])
        }
        router.post("/api/poses") { request, context in try await self.upload(request, context: context) }
        router.post("/api/poses/:id/files") { request, context in try await self.upload(request, context: context, folder: context.parameters.get("id")) }
        router.get("/api/poses/:id") { request, context in
            guard let id = context.parameters.get("id"), let url = self.workspace.poses(id) else {
                return Self.problem("no such pose file", status: .notFound, field: "poses")
            }
            do {
                let values = Self.parameters(request.uri.queryParameters)
                return self.describe(posesAt: url, id: id, cleanup: try Self.cleanup(values), canvas: try Self.canvas(values), model: values["model"])
            } catch let error as FieldError {
                return Self.problem(error.message, field: error.field)
            }
        }
        router.get("/api/still") { request, _ in self.still(request.uri.queryParameters) }
        router.post("/api/renders") { request, context in try await self.submit(request, context: context) }
        router.get("/api/renders") { _, _ in Self.json(["renders": self.queue.all().map(Self.summary)]) }
        router.get("/api/renders/:id") { _, context in
            guard let id = context.parameters.get("id"), let entry = self.queue.entry(id) else {
                return Self.problem("no such render", status: .notFound)
            }
            return Self.json(Self.summary(entry))
        }
        router.post("/api/renders/:id/cancel") { _, context in
            guard let id = context.parameters.get("id"), self.queue.cancel(id) else { return Self.problem("no such render", status: .notFound) }
            return Self.json(["cancelled": id])
        }
        router.get("/api/renders/:id/video") { request, context in
            guard let id = context.parameters.get("id"), let entry = self.queue.entry(id), let output = entry.output,
                  let data = try? Data(contentsOf: output) else {
                return Self.problem("no finished render with that id", status: .notFound)
            }
            var extra: HTTPFields = [:]
            if request.uri.queryParameters.get("download") != nil {
                extra[.contentDisposition] = "attachment; filename=\"psgan-\(id).\(output.pathExtension)\""
            }
            return Self.response(data, type: Self.mediaType(output.pathExtension), extra: extra)
        }
    }

    // MARK: - Status

    func status(_ model: String?) throws -> Response {
        let stills = try models.stills(model)
        let config = stills.model.config
        let look: Any = stills.model.look.map { schema in
            schema.attributes.map { attribute -> [String: Any] in
                var item: [String: Any] = ["name": attribute.name, "range": attribute.range]
                switch attribute.kind {
                case .colour, .palette: item["kind"] = "colour"
                case .choice(let choices): item["kind"] = "choice"; item["choices"] = choices
                case .flag: item["kind"] = "flag"
                case .number(let offset, let scale): item["kind"] = "number"; item["min"] = offset; item["max"] = offset + scale
                }
                return item
            }
        } ?? NSNull()
        return Self.json(["model": stills.modelFile.lastPathComponent, "models": models.names, "default_model": models.defaultName,
                          "resolution": config.resolution, "alpha": config.alpha,
                          "upscale": config.upscale ?? NSNull(), "look": look, "upscalers": BundledResources.upscalerNames,
                          "codecs": VideoCodec.allCases.map(\.rawValue)])
    }

    // MARK: - Poses

    /// `POST /api/poses?name=F` stores a pose file; `?name=F&folder=new` starts an OpenPose folder
    /// with its first `*_keypoints.json` file and `POST /api/poses/ID/files?name=F` adds the others.
    func upload(_ request: Request, context: BasicRequestContext, folder: String? = nil) async throws -> Response {
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: configuration.maximumUpload)
        } catch {
            return Self.problem("the file is larger than the studio takes (\(configuration.maximumUpload >> 20) MiB)", status: .contentTooLarge, field: "poses")
        }
        let name = request.uri.queryParameters.get("name") ?? "poses.json"
        if folder != nil || request.uri.queryParameters.get("folder") == "new" {
            guard folder == nil || workspace.poses(folder!) != nil,
                  let id = try workspace.storeFolderFile(Data(buffer: body), name: name, into: folder) else {
                return Self.problem("an OpenPose folder takes *_keypoints.json files (plain names) into a folder it made", field: "poses")
            }
            return Self.json(["id": id, "file": name])
        }
        let stored = try workspace.storePoses(Data(buffer: body), name: name)
        return describe(posesAt: stored.url, id: stored.id, shownName: name)
    }

    /// A stored pose file as the page draws it: frames on the model's canvas (as a render feeds
    /// them), or the one-line error psgan would give, naming the file as uploaded.
    func describe(posesAt url: URL, id: String, shownName: String? = nil, cleanup: PoseCleanup = PoseCleanup(),
                  canvas: CanvasSize? = nil, model: String? = nil) -> Response {
        do {
            let prepared = try models.stills(model).prepared(url, cleanup: cleanup, canvas: canvas)
            let frames = prepared.frames.map { frame in frame.map { [($0.x * 100).rounded() / 100, ($0.y * 100).rounded() / 100, $0.confidence] } }
            return Self.json(["id": id, "frames": frames, "fps": prepared.fps ?? PoseSequence.assumedFPS,
                              "canvas": [prepared.canvas.width, prepared.canvas.height], "layout": prepared.layout])
        } catch {
            let message = ErrorText.oneLine(error).replacingOccurrences(of: url.path, with: shownName ?? "the pose file")
            return Self.problem(message, field: "poses")
        }
    }

    // MARK: - Stills

    /// A query's parameters, percent-decoded.
    static func parameters(_ query: some Sequence<(key: Substring, value: Substring)>) -> [String: String] {
        var parameters: [String: String] = [:]
        for (key, value) in query { parameters[String(key)] = String(value).removingPercentEncoding ?? String(value) }
        return parameters
    }

    /// The cleanup a request asks for: `smooth` (true), `resample` (a frame rate), `retarget`
    /// (`canvas`, `figure` or `scale:S`) and `loop` (`pingpong` or `blend N`), as `psgan render`'s
    /// options of those names; missing or empty keys leave that step out.
    /// The `canvas` (`WxH`) an OpenPose input's image had, when given.
    static func canvas(_ values: [String: String]) throws -> CanvasSize? {
        guard let text = values["canvas"], !text.isEmpty else { return nil }
        guard let size = CanvasSize(parsing: text), size.isWithinOutputLimits || (size.width <= 16384 && size.height <= 16384) else {
            throw FieldError(field: "cleanup", message: "canvas must be WxH, the size of the images the keypoints are in")
        }
        return size
    }

    static func cleanup(_ values: [String: String]) throws -> PoseCleanup {
        var cleanup = PoseCleanup()
        if let smooth = values["smooth"], ["1", "true", "on"].contains(smooth) { cleanup.smoothing = OneEuroFilter() }
        if let text = values["resample"], !text.isEmpty {
            guard let fps = Double.decimal(text), FrameRate.isValid(fps) else {
                throw FieldError(field: "cleanup", message: "resample: the frame rate must be \(FrameRate.rangeDescription)")
            }
            cleanup.resampleFPS = fps
        }
        if let text = values["retarget"], !text.isEmpty {
            guard let retargeting = PoseRetargeting(parsing: text) else {
                throw FieldError(field: "cleanup", message: "retarget must be canvas, figure or scale:S")
            }
            cleanup.retargeting = retargeting
        }
        if let text = values["loop"], !text.isEmpty {
            guard let loop = PoseLoop(parsing: text) else { throw FieldError(field: "cleanup", message: "loop must be pingpong or blend N") }
            cleanup.loop = loop
        }
        return cleanup
    }

    func still(_ query: some Sequence<(key: Substring, value: Substring)>) -> Response {
        let parameters = Self.parameters(query)
        guard let id = parameters["poses"], let url = workspace.poses(id) else { return Self.problem("no such pose file", status: .notFound, field: "poses") }
        do {
            let stills = try models.stills(parameters["model"])
            let prepared = try stills.prepared(url, cleanup: try Self.cleanup(parameters), canvas: try Self.canvas(parameters))
            let frame = Int(parameters["frame"] ?? "0") ?? -1
            guard frame >= 0, frame < prepared.frames.count else {
                return Self.problem("the poses have no frame \(parameters["frame"] ?? "")", field: "frame")
            }
            if let text = parameters["keyframes"], !text.isEmpty {
                // The morph at this frame: the keyframed characters blended as a render blends them.
                guard let items = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]], !items.isEmpty else {
                    return Self.problem("keyframes must be a list of {\"frame\", \"seed\", \"look\"}", field: "keyframes")
                }
                let keyframes = try items.map { item -> (character: Character, frame: Int) in
                    let look = (item["look"] as? [String: Any]).flatMap { try? JSONSerialization.data(withJSONObject: $0) }.map { String(decoding: $0, as: UTF8.self) }
                    return (try Self.character(seed: (item["seed"] as? NSNumber).map { "\($0.uint64Value)" }, look: look), (item["frame"] as? NSNumber)?.intValue ?? 0)
                }
                let track = try CharacterTrack(keyframes: keyframes, in: stills.space, interpolation: .slerp)
                return Self.response(try stills.png(keypoints: prepared.frames[frame], latent: track.latent(at: frame)), type: "image/png")
            }
            let character = try Self.character(seed: parameters["seed"], look: parameters["look"])
            return Self.response(try stills.png(keypoints: prepared.frames[frame], character: character), type: "image/png")
        } catch let error as FieldError {
            return Self.problem(error.message, field: error.field)
        } catch {
            return Self.problem(ErrorText.oneLine(error), field: "look")
        }
    }

    /// `POST /api/models?name=F`: a generator file, loaded to check it, offered as a model by its id.
    func uploadModel(_ request: Request) async throws -> Response {
        guard let body = try? await request.body.collect(upTo: 64 << 20) else {
            return Self.problem("the model is larger than the studio takes (64 MiB)", status: .contentTooLarge, field: "model")
        }
        let id = Workspace.newID()
        let url = workspace.model(id)
        try Data(buffer: body).write(to: url, options: .atomic)
        do {
            _ = try models.stills(id)
        } catch {
            try? FileManager.default.removeItem(at: url)
            let name = request.uri.queryParameters.get("name") ?? "the model"
            return Self.problem(ErrorText.oneLine(error).replacingOccurrences(of: url.path, with: name), field: "model")
        }
        return Self.json(["name": id])
    }

    /// A character from a seed and an optional look (JSON text).
    static func character(seed: String?, look: String?) throws -> Character {
        let number = try seed.map { text -> UInt64 in
            guard let value = UInt64(text) else { throw PSGANError(.character, "the seed must be a whole number, 0 or more") }
            return value
        } ?? 0
        var character = Character.seed(number)
        if let look, !look.isEmpty, look != "{}" { character.look = try Look(jsonText: Data(look.utf8), file: "the look") }
        return character
    }

    static func mediaType(_ ext: String) -> String {
        ["mp4": "video/mp4", "webm": "video/webm", "mkv": "video/x-matroska", "mov": "video/quicktime"][ext.lowercased()] ?? "application/octet-stream"
    }
}
