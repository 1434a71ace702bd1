import Foundation

/// A batch manifest: many renders (characters × pose files, or a list of jobs) in one JSON file.
///
/// The format is described in `docs/batch.md`. Reading a manifest checks all of it before any job
/// runs (structure, names, settings, templates, codecs against extensions, outputs distinct) and
/// reports the first problem as a ``PSGANError`` naming the job or entry. The files a job
/// reads (model, pose file, character files, upscaler) are opened only when it runs, so a missing
/// or bad one fails that job alone. Relative paths resolve against the manifest's directory.
public struct BatchManifest: Sendable {
    /// How names that are not paths are turned into files: the default model and built-in upscalers.
    public struct Resolver {
        /// The model for jobs that name none (called at most once, and only when needed).
        public var defaultModel: () throws -> URL
        /// The built-in upscaler names a manifest's `"upscale"` may use (see ``UpscalerSpec``).
        public var builtInUpscalers: [String]
        /// The file of a built-in upscaler name, or nil when `name` is not a built-in one.
        public var builtInUpscaler: @Sendable (String) throws -> URL?

        /// A resolver with the given lookups.
        public init(defaultModel: @escaping () throws -> URL, builtInUpscalers: [String],
                    builtInUpscaler: @escaping @Sendable (String) throws -> URL?) {
            self.defaultModel = defaultModel
            self.builtInUpscalers = builtInUpscalers
            self.builtInUpscaler = builtInUpscaler
        }

        /// The files shipped with psgan (``BundledResources``): `$PSGAN_MODEL` or the bundled model,
        /// and the built-in upscalers.
        public static let bundled = Resolver(
            defaultModel: { try BundledResources.model(nil) }, builtInUpscalers: BundledResources.upscalerNames,
            builtInUpscaler: { try BundledResources.builtInUpscaler($0) })
    }

    /// The manifest file.
    public let url: URL
    /// Every job, in index order.
    public let jobs: [BatchJob]

    typealias JSON = PoseFileReader.JSONValue

    /// Settings that `defaults` and each job may give; a job's override the defaults'.
    struct Settings {
        static let keys: Set<String> = ["model", "codec", "fps", "crf", "frames", "canvas", "upscale", "tile", "frame_per_pose",
                                        "alpha", "background", "place", "audio"]
        var model: String?
        var codec: VideoCodec?
        var fps: Double?
        var crf: Int?
        var frames: FrameRange?
        var canvas: CanvasSize?
        var upscale: String?
        var tile: Int?
        var framePerPose: Bool?
        var alpha: Bool?
        var background: Background?
        var place: Placement?
        var audio: AudioTrack?

        /// These settings with `other`'s given ones on top.
        func merged(with other: Settings) -> Settings {
            Settings(model: other.model ?? model, codec: other.codec ?? codec, fps: other.fps ?? fps,
                     crf: other.crf ?? crf, frames: other.frames ?? frames, canvas: other.canvas ?? canvas,
                     upscale: other.upscale ?? upscale, tile: other.tile ?? tile,
                     framePerPose: other.framePerPose ?? framePerPose, alpha: other.alpha ?? alpha,
                     background: other.background ?? background, place: other.place ?? place, audio: other.audio ?? audio)
        }
    }

    struct PoseEntry {
        var name: String
        /// The pose input; its canvas comes from the job's settings (where a pose entry's own
        /// ``canvas`` ranks between the defaults and the job).
        var input: PoseInput
        var canvas: CanvasSize?
    }

    struct CharacterEntry {
        var name: String
        var characters: RenderJob.Characters
    }

    /// Reads and checks the manifest at `url`.
    ///
    /// - Throws: ``PSGANError`` for an unreadable file, invalid JSON or any problem in it.
    public init(contentsOf url: URL, resolver: Resolver = .bundled) throws {
        try self.init(data: try InputFile.data(at: url, kind: .manifest), url: url, resolver: resolver)
    }

    /// Checks the manifest text `data`, as if read from `url` (relative paths resolve against its directory).
    public init(data: Data, url: URL, resolver: Resolver) throws {
        self.url = url
        let path = url.path
        let directory = url.deletingLastPathComponent()
        func fail(_ place: String, _ problem: String) -> PSGANError {
            PSGANError(.manifest, file: path, place: place, problem)
        }
        func file(_ text: String) -> URL {
            (text.hasPrefix("/") ? URL(fileURLWithPath: text) : directory.appendingPathComponent(text)).standardizedFileURL
        }

        let root: JSON
        do {
            root = try JSON.parse(data)
        } catch {
            throw fail("", "not valid JSON: \(error.message)")
        }
        guard case .object(let top) = root else {
            throw fail("", "expected a JSON object with \"version\", \"output\", \"characters\" and \"poses\", found \(root.kind)")
        }
        try Self.checkKeys(top, allowed: ["version", "defaults", "output", "characters", "poses", "jobs"], place: "", path: path)
        guard case .number(1)? = top["version"] else {
            throw fail("", top["version"] == nil ? "\"version\": 1 is missing" : "\"version\" must be 1 (found \(top["version"]!.kind))")
        }

        // Defaults and the output template.
        var defaults = Settings()
        if let value = top["defaults"] {
            guard case .object(let object) = value else { throw fail("defaults", "must be an object, found \(value.kind)") }
            try Self.checkKeys(object, allowed: Settings.keys, place: "defaults", path: path)
            defaults = try Self.settings(object, place: "defaults", path: path, file: file)
        }
        var topTemplate: OutputTemplate?
        if let value = top["output"] {
            guard case .string(let text) = value else { throw fail("output", "must be a path template string, found \(value.kind)") }
            do { topTemplate = try OutputTemplate(text) } catch { throw fail("output", "\(error)") }
        }

        // Characters.
        guard case .array(let characterValues)? = top["characters"], !characterValues.isEmpty else {
            throw fail("characters", top["characters"] == nil ? "is missing (a list of characters)" : "must be a non-empty list")
        }
        var characters: [CharacterEntry] = []
        for (i, value) in characterValues.enumerated() {
            let entry = try Self.character(value, place: "characters[\(i)]", path: path, file: file)
            if let other = characters.firstIndex(where: { $0.name == entry.name }) {
                throw fail("characters[\(i)]", "the name '\(entry.name)' is already used by characters[\(other)] (give each a distinct \"name\")")
            }
            characters.append(entry)
        }

        // Poses.
        guard case .array(let poseValues)? = top["poses"], !poseValues.isEmpty else {
            throw fail("poses", top["poses"] == nil ? "is missing (a list of pose files)" : "must be a non-empty list")
        }
        var poses: [PoseEntry] = []
        for (i, value) in poseValues.enumerated() {
            let place = "poses[\(i)]"
            let entry = try Self.poseEntry(value, place: place, path: path, file: file)
            try Self.checkName(entry.name, place: place, path: path)
            if let other = poses.firstIndex(where: { $0.name == entry.name }) {
                throw fail(place, "the name '\(entry.name)' is already used by poses[\(other)] (give each a distinct \"name\")")
            }
            poses.append(entry)
        }

        // Jobs: the list given, else every character with every pose.
        struct Pending {
            var name: String?
            var character: CharacterEntry
            var pose: PoseEntry
            var settings: Settings
            var template: OutputTemplate?
            var scene: URL?
        }
        /// A job's own `"output"` template, if it gives one.
        func jobTemplate(_ object: [String: JSON], _ label: String) throws -> OutputTemplate? {
            guard let value = object["output"] else { return nil }
            guard case .string(let text) = value else { throw fail(label, "\"output\" must be a path template string") }
            do { return try OutputTemplate(text) } catch { throw fail(label, "\(error)") }
        }
        var pending: [Pending] = []
        if let value = top["jobs"] {
            guard case .array(let items) = value, !items.isEmpty else {
                throw fail("jobs", "must be a non-empty list (leave \"jobs\" out for every character with every pose)")
            }
            for (i, item) in items.enumerated() {
                let place = "job \(i)"
                guard case .object(let object) = item else { throw fail(place, "must be an object, found \(item.kind)") }
                var label = place
                if case .string(let name)? = object["name"] { label = "job \(i) (\(name))" }
                var name: String?
                if let value = object["name"] {
                    guard case .string(let text) = value, !text.isEmpty else { throw fail(label, "\"name\" must be a non-empty string") }
                    try Self.checkName(text, place: label, path: path)
                    name = text
                }
                if let sceneValue = object["scene"] {
                    // A scene job: its characters and poses are in the scene file.
                    guard case .string(let text) = sceneValue, !text.isEmpty else { throw fail(label, "\"scene\" must be a scene file path") }
                    if object["name"] == nil { label = "job \(i) (\(Self.stem(text)))" }
                    if object["character"] != nil || object["pose"] != nil {
                        throw fail(label, "a \"scene\" job has no \"character\" or \"pose\" (the scene file gives them)")
                    }
                    let sceneFile = file(text)
                    try Self.checkKeys(object, allowed: Settings.keys.union(["name", "scene", "output"]), place: label, path: path)
                    let template = try jobTemplate(object, label)
                    pending.append(Pending(name: name ?? Self.stem(text), character: CharacterEntry(name: "scene", characters: .seed(0)),
                                           pose: PoseEntry(name: Self.stem(text), input: PoseInput(url: sceneFile), canvas: nil),
                                           settings: try Self.settings(object, place: label, path: path, file: file), template: template, scene: sceneFile))
                    continue
                }
                guard case .string(let characterName)? = object["character"] else {
                    throw fail(label, "needs a \"character\": the name of an entry of \"characters\"")
                }
                guard let character = characters.first(where: { $0.name == characterName }) else {
                    throw fail(label, "no character is named '\(characterName)' (known: \(characters.map(\.name).joined(separator: ", ")))")
                }
                guard case .string(let poseName)? = object["pose"] else {
                    throw fail(label, "needs a \"pose\": the name of an entry of \"poses\"")
                }
                guard let pose = poses.first(where: { $0.name == poseName }) else {
                    throw fail(label, "no pose entry is named '\(poseName)' (known: \(poses.map(\.name).joined(separator: ", ")))")
                }
                if object["name"] == nil { label = "job \(i) (\(character.name)-\(pose.name))" }
                try Self.checkKeys(object, allowed: Settings.keys.union(["name", "character", "pose", "output"]), place: label, path: path)
                let template = try jobTemplate(object, label)
                let settings = try Self.settings(object, place: label, path: path, file: file)
                pending.append(Pending(name: name, character: character, pose: pose, settings: settings, template: template, scene: nil))
            }
        } else {
            for character in characters {
                for pose in poses {
                    pending.append(Pending(name: nil, character: character, pose: pose, settings: Settings(), template: nil, scene: nil))
                }
            }
        }

        // Resolve each job, checking its settings and output.
        var defaultModel: URL?
        var outputs: [String: String] = [:]
        var jobs: [BatchJob] = []
        for (index, item) in pending.enumerated() {
            let name = item.name ?? "\(item.character.name)-\(item.pose.name)"
            let label = "job \(index) (\(name))"
            var settings = defaults
            if let canvas = item.pose.canvas { settings.canvas = canvas }
            settings = settings.merged(with: item.settings)
            if item.scene != nil && (item.settings.upscale != nil || item.settings.tile != nil) {
                throw fail(label, "a \"scene\" job takes no \"upscale\" or \"tile\"")
            }
            if item.scene != nil { (settings.upscale, settings.tile) = ("none", nil) }
            if item.scene != nil && (item.settings.background != nil || item.settings.place != nil) {
                throw fail(label, "a \"scene\" job takes no \"background\" or \"place\" (the scene file gives them)")
            }
            if item.scene != nil { (settings.background, settings.place) = (nil, nil) }
            // The same checks as psgan render's options.
            if settings.alpha == true && settings.background != nil {
                throw fail(label, "\"alpha\" and \"background\" exclude each other (a frame composited over a background is opaque)")
            }
            if settings.place != nil && settings.background == nil {
                throw fail(label, "\"place\" needs a \"background\" image or video to place the character on")
            }
            guard let template = item.template ?? topTemplate else {
                throw fail(label, "has no output: give a top-level \"output\" template or the job's own \"output\"")
            }
            let codec = settings.codec
                ?? (template.uses("ext") || template.uses("codec") ? nil : VideoContainer(fileExtension: template.literalExtension)?.defaultCodec)
                ?? .h264
            let expanded = template.expand(.init(character: item.character.name, pose: item.pose.name, index: index,
                                                 name: name, codec: codec))
            let output = file(expanded)
            try Self.checkContainer(output, codec: codec, place: label, path: path)
            if settings.crf != nil, codec.crfRange == nil {
                // A default "crf" is for the codecs that have a rate factor; a job's own is an error.
                if item.settings.crf != nil { throw fail(label, "\"crf\" does not apply to \(codec.rawValue), which has no rate factor") }
                settings.crf = nil
            }
            if let crf = settings.crf, let range = codec.crfRange, !range.contains(crf) {
                throw fail(label, "\"crf\" \(crf) is out of range for \(codec.rawValue) (\(range.lowerBound)...\(range.upperBound))")
            }
            if let other = outputs[output.path] {
                throw fail(label, "writes \(output.path), as \(other) does (every job needs its own output)")
            }
            outputs[output.path] = label

            let model: URL
            if let text = settings.model {
                model = file(text)
            } else if let known = defaultModel {
                model = known
            } else {
                do { model = try resolver.defaultModel() } catch { throw fail(label, "no \"model\" given, and \(error)") }
                defaultModel = model
            }
            var upscaling = RenderJob.Upscaling.modelSuggestion
            if let text = settings.upscale {
                do {
                    let spec = try UpscalerSpec(text, builtInNames: resolver.builtInUpscalers)
                    if settings.tile != nil && !spec.takesTile {
                        throw fail(label, "\"tile\" needs an upscaler, not \"upscale\": \"none\"")
                    }
                    switch spec {
                    case .none:
                        upscaling = .none
                    case .builtIn(let name):
                        guard let url = try resolver.builtInUpscaler(name) else {
                            throw PSGANError(.model, "the built-in upscaler \(name) has no file")
                        }
                        upscaling = .file(url)
                    case .file(let path):
                        upscaling = .file(file(path))
                    }
                } catch let error as PSGANError where error.kind == .manifest {
                    throw error
                } catch {
                    throw fail(label, "\(error)")
                }
            }
            var poseInput = item.pose.input
            poseInput.reading.canvas = settings.canvas
            var render = RenderJob(model: model, poses: poseInput, characters: item.character.characters,
                                   frames: settings.frames, codec: codec, fps: settings.fps, crf: settings.crf,
                                   upscaling: upscaling, tile: settings.tile, output: output)
            render.framePerPose = settings.framePerPose ?? false
            render.alpha = settings.alpha ?? false
            render.background = settings.background
            render.placement = settings.place
            render.audio = settings.audio
            render.scene = item.scene
            jobs.append(BatchJob(index: index, name: name, character: item.character.name, pose: item.pose.name, render: render))
        }
        self.jobs = jobs
    }
}
