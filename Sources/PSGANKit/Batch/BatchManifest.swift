import Foundation

/// A batch manifest: many renders (characters × pose files, or a list of jobs) in one JSON file.
///
/// The format is described in `docs/batch.md`. Reading a manifest checks all of it before any job
/// runs (structure, names, settings, templates, codecs against extensions, outputs distinct) and
/// reports the first problem as a ``BatchManifestError`` naming the job or entry. The files a job
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
    }

    /// The manifest file.
    public let url: URL
    /// Every job, in index order.
    public let jobs: [BatchJob]

    private typealias JSON = PoseFileReader.JSONValue

    /// Settings that `defaults` and each job may give; a job's override the defaults'.
    private struct Settings {
        static let keys: Set<String> = ["model", "codec", "fps", "crf", "frames", "canvas", "upscale", "tile"]
        var model: String?
        var codec: VideoCodec?
        var fps: Double?
        var crf: Int?
        var frames: FrameRange?
        var canvas: (width: Int, height: Int)?
        var upscale: String?
        var tile: Int?

        /// These settings with `other`'s given ones on top.
        func merged(with other: Settings) -> Settings {
            Settings(model: other.model ?? model, codec: other.codec ?? codec, fps: other.fps ?? fps,
                     crf: other.crf ?? crf, frames: other.frames ?? frames, canvas: other.canvas ?? canvas,
                     upscale: other.upscale ?? upscale, tile: other.tile ?? tile)
        }
    }

    private struct PoseEntry {
        var name: String
        var file: URL
        var canvas: (width: Int, height: Int)?
    }

    private struct CharacterEntry {
        var name: String
        var characters: RenderJob.Characters
    }

    /// Reads and checks the manifest at `url`.
    ///
    /// - Throws: ``BatchManifestError`` for an unreadable file, invalid JSON or any problem in it.
    public init(contentsOf url: URL, resolver: Resolver) throws {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw BatchManifestError(path: url.path, place: "", "cannot read the manifest (\(ErrorText.reason(error)))")
        }
        try self.init(data: data, url: url, resolver: resolver)
    }

    /// Checks the manifest text `data`, as if read from `url` (relative paths resolve against its directory).
    public init(data: Data, url: URL, resolver: Resolver) throws {
        self.url = url
        let path = url.path
        let directory = url.deletingLastPathComponent()
        func fail(_ place: String, _ problem: String) -> BatchManifestError {
            BatchManifestError(path: path, place: place, problem)
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
            defaults = try Self.settings(object, place: "defaults", path: path)
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
            let entry: PoseEntry
            switch value {
            case .string(let text) where !text.isEmpty:
                entry = PoseEntry(name: Self.stem(text), file: file(text), canvas: nil)
            case .object(let object):
                try Self.checkKeys(object, allowed: ["name", "file", "canvas"], place: place, path: path)
                guard case .string(let text)? = object["file"], !text.isEmpty else {
                    throw fail(place, "needs a \"file\": the pose file or OpenPose directory")
                }
                let name = try Self.name(object["name"], default: Self.stem(text), place: place, path: path)
                let canvas = try object["canvas"].map { try Self.canvas($0, place: place, path: path) }
                entry = PoseEntry(name: name, file: file(text), canvas: canvas)
            default:
                throw fail(place, "must be a pose file path or an object with a \"file\", found \(value.kind)")
            }
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
                var template: OutputTemplate?
                if let value = object["output"] {
                    guard case .string(let text) = value else { throw fail(label, "\"output\" must be a path template string") }
                    do { template = try OutputTemplate(text) } catch { throw fail(label, "\(error)") }
                }
                let settings = try Self.settings(object, place: label, path: path)
                pending.append(Pending(name: name, character: character, pose: pose, settings: settings, template: template))
            }
        } else {
            for character in characters {
                for pose in poses {
                    pending.append(Pending(name: nil, character: character, pose: pose, settings: Settings(), template: nil))
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
            if let crf = settings.crf, let range = codec.crfRange, !range.contains(crf) {
                throw fail(label, "\"crf\" \(crf) is out of range for \(codec.rawValue) (\(range.lowerBound)...\(range.upperBound))")
            }
            if settings.tile != nil && settings.upscale == "none" {
                throw fail(label, "\"tile\" needs an upscaler, not \"upscale\": \"none\"")
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
            var upscaler: URL?
            if let text = settings.upscale {
                do {
                    switch try UpscalerSpec(text, builtInNames: resolver.builtInUpscalers) {
                    case .none:
                        break
                    case .builtIn(let name):
                        guard let url = try resolver.builtInUpscaler(name) else {
                            throw RenderError("the built-in upscaler \(name) has no file")
                        }
                        upscaler = url
                    case .file(let path):
                        upscaler = file(path)
                    }
                } catch {
                    throw fail(label, "\(error)")
                }
            }
            var render = RenderJob(model: model, poses: item.pose.file, canvas: settings.canvas,
                                   characters: item.character.characters, frames: settings.frames, codec: codec,
                                   fps: settings.fps, crf: settings.crf, upscaler: upscaler, tile: settings.tile,
                                   output: output)
            if settings.upscale == nil { render.suggestedUpscalerLookup = resolver.builtInUpscaler }
            jobs.append(BatchJob(index: index, name: name, character: item.character.name, pose: item.pose.name, render: render))
        }
        self.jobs = jobs
    }

    // MARK: - Pieces

    private static func checkKeys<Keys: Sequence>(_ object: [String: JSON], allowed: Keys, place: String, path: String) throws
        where Keys.Element == String {
        let allowedSet = Set(allowed)
        if let unknown = object.keys.sorted().first(where: { !allowedSet.contains($0) }) {
            throw BatchManifestError(path: path, place: place, "unknown key \"\(unknown)\" (known: \(allowedSet.sorted().joined(separator: ", ")))")
        }
    }

    private static func settings(_ object: [String: JSON], place: String, path: String) throws -> Settings {
        func fail(_ problem: String) -> BatchManifestError { BatchManifestError(path: path, place: place, problem) }
        func string(_ key: String) throws -> String? {
            guard let value = object[key] else { return nil }
            guard case .string(let text) = value, !text.isEmpty else { throw fail("\"\(key)\" must be a non-empty string, found \(value.kind)") }
            return text
        }
        func integer(_ key: String) throws -> Int? {
            guard let value = object[key] else { return nil }
            guard case .number(let number) = value, number == number.rounded(), abs(number) < 1e15 else {
                throw fail("\"\(key)\" must be a whole number, found \(value.kind)")
            }
            return Int(number)
        }
        var settings = Settings()
        settings.model = try string("model")
        if let text = try string("codec") {
            do { settings.codec = try VideoCodec(parsing: text) } catch { throw fail("\"codec\": \(error)") }
        }
        if let value = object["fps"] {
            guard case .number(let fps) = value, FrameRate.isValid(fps) else {
                throw fail("\"fps\" must be a frame rate \(FrameRate.rangeDescription), found \(value.kind)")
            }
            settings.fps = fps
        }
        if let crf = try integer("crf") {
            guard (0...63).contains(crf) else { throw fail("\"crf\" must be from 0 to 63") }
            settings.crf = crf
        }
        if let text = try string("frames") {
            guard let range = FrameRange(text) else { throw fail("\"frames\" must be A:B, A:, :B or N (zero-based frame numbers), found '\(text)'") }
            settings.frames = range
        }
        if let value = object["canvas"] { settings.canvas = try canvas(value, place: place, path: path) }
        settings.upscale = try string("upscale")
        if let tile = try integer("tile") {
            guard tile >= 1 else { throw fail("\"tile\" must be at least 1") }
            settings.tile = tile
        }
        return settings
    }

    private static func canvas(_ value: JSON, place: String, path: String) throws -> (width: Int, height: Int) {
        if case .string(let text) = value {
            let parts = text.lowercased().split(separator: "x")
            if parts.count == 2, let w = Int(parts[0]), let h = Int(parts[1]), w > 0, h > 0 { return (w, h) }
        }
        throw BatchManifestError(path: path, place: place, "\"canvas\" must be a size such as \"1280x720\", found \(value.kind)")
    }

    private static func character(_ value: JSON, place: String, path: String, file: (String) -> URL) throws -> CharacterEntry {
        func fail(_ problem: String) -> BatchManifestError { BatchManifestError(path: path, place: place, problem) }
        let entry: CharacterEntry
        switch value {
        case .number:
            let seed = try self.seed(value, place: place, path: path)
            entry = CharacterEntry(name: "seed\(seed)", characters: .seed(seed))
        case .string(let text) where !text.isEmpty:
            entry = CharacterEntry(name: stem(text), characters: .keyframes([CharacterKeyframe(path: file(text).path, seed: nil, frame: 0)],
                                                                          interpolation: .slerp))
        case .object(let object):
            try checkKeys(object, allowed: ["name", "seed", "file", "keyframes", "interp"], place: place, path: path)
            let sources = ["seed", "file", "keyframes"].filter { object[$0] != nil }
            guard sources.count == 1 else {
                throw fail(sources.isEmpty ? "needs one of \"seed\", \"file\" or \"keyframes\""
                                           : "give only one of \"seed\", \"file\" or \"keyframes\" (found \(sources.joined(separator: ", ")))")
            }
            if object["interp"] != nil && object["keyframes"] == nil { throw fail("\"interp\" applies only to \"keyframes\"") }
            if let seedValue = object["seed"] {
                let seed = try self.seed(seedValue, place: place, path: path)
                entry = CharacterEntry(name: try name(object["name"], default: "seed\(seed)", place: place, path: path), characters: .seed(seed))
            } else if let fileValue = object["file"] {
                guard case .string(let text) = fileValue, !text.isEmpty else { throw fail("\"file\" must be a character file path") }
                entry = CharacterEntry(name: try name(object["name"], default: stem(text), place: place, path: path),
                                       characters: .keyframes([CharacterKeyframe(path: file(text).path, seed: nil, frame: 0)], interpolation: .slerp))
            } else {
                guard object["name"] != nil else { throw fail("a keyframed character needs a \"name\"") }
                let name = try name(object["name"], default: "", place: place, path: path)
                guard case .array(let items)? = object["keyframes"], !items.isEmpty else {
                    throw fail("\"keyframes\" must be a non-empty list")
                }
                var interpolation = LatentInterpolation.slerp
                if let interp = object["interp"] {
                    guard case .string(let text) = interp, let parsed = LatentInterpolation(rawValue: text) else {
                        throw fail("\"interp\" must be \"slerp\" or \"lerp\", found \(interp.kind)")
                    }
                    interpolation = parsed
                }
                var keyframes: [CharacterKeyframe] = []
                for (k, item) in items.enumerated() {
                    let where_ = "\(place) keyframes[\(k)]"
                    var keyframe: CharacterKeyframe
                    switch item {
                    case .string(let text):
                        guard let parsed = CharacterKeyframe(text) else {
                            throw BatchManifestError(path: path, place: where_, "'\(text)' is not FILE.json[@FRAME] or seed:N[@FRAME]")
                        }
                        keyframe = parsed
                        if let file_ = parsed.path { keyframe.path = file(file_).path }
                    case .object(let object):
                        try checkKeys(object, allowed: ["seed", "file", "frame"], place: where_, path: path)
                        var frame = 0
                        if let value = object["frame"] {
                            guard case .number(let number) = value, number >= 0, number == number.rounded(), number < 1e9 else {
                                throw BatchManifestError(path: path, place: where_, "\"frame\" must be a frame number (0 or more), found \(value.kind)")
                            }
                            frame = Int(number)
                        }
                        switch (object["seed"], object["file"]) {
                        case (let seedValue?, nil):
                            keyframe = CharacterKeyframe(path: nil, seed: try seed(seedValue, place: where_, path: path), frame: frame)
                        case (nil, .string(let text)?) where !text.isEmpty:
                            keyframe = CharacterKeyframe(path: file(text).path, seed: nil, frame: frame)
                        default:
                            throw BatchManifestError(path: path, place: where_, "needs either a \"seed\" or a \"file\" (a character file path)")
                        }
                    default:
                        throw BatchManifestError(path: path, place: where_, "must be a string such as \"seed:9@90\" or an object, found \(item.kind)")
                    }
                    if let other = keyframes.firstIndex(where: { $0.frame == keyframe.frame }) {
                        throw BatchManifestError(path: path, place: where_, "keyframes[\(other)] is at frame \(keyframe.frame) too")
                    }
                    keyframes.append(keyframe)
                }
                entry = CharacterEntry(name: name, characters: .keyframes(keyframes, interpolation: interpolation))
            }
        default:
            throw fail("must be a seed, a character file path or an object, found \(value.kind)")
        }
        try checkName(entry.name, place: place, path: path)
        return entry
    }

    private static func seed(_ value: JSON, place: String, path: String) throws -> UInt64 {
        switch value {
        case .number(let number) where number >= 0 && number == number.rounded() && number <= 0x1p53:
            return UInt64(number)
        case .string(let text):
            if let seed = UInt64(text) { return seed }
        default:
            break
        }
        throw BatchManifestError(path: path, place: place, "a seed must be a whole number from 0 to 2^53 (or a decimal string up to 2^64-1), found \(value.kind)")
    }

    private static func name(_ value: JSON?, default fallback: String, place: String, path: String) throws -> String {
        guard let value else { return fallback }
        guard case .string(let text) = value else {
            throw BatchManifestError(path: path, place: place, "\"name\" must be a string, found \(value.kind)")
        }
        return text
    }

    /// Names go into output paths: one path component, printable.
    private static func checkName(_ name: String, place: String, path: String) throws {
        let bad = name.isEmpty || name == "." || name == ".." || name.contains("/")
            || name.unicodeScalars.contains { $0.properties.generalCategory == .control }
        if bad {
            throw BatchManifestError(path: path, place: place, "the name '\(name)' cannot be part of a file name "
                + "(it must be non-empty, without '/' or control characters, and not '.' or '..')")
        }
    }

    /// The file name without directory and extension: `walk` for `poses/walk.json` or `op/walk/`.
    /// Worked on the string itself: a file URL would percent-encode characters such as NUL.
    private static func stem(_ text: String) -> String {
        let last = text.split(separator: "/").last.map(String.init) ?? text
        guard let dot = last.lastIndex(of: "."), dot != last.startIndex else { return last }
        return String(last[..<dot])
    }

    /// The same check ``VideoWriter`` makes, done before anything is rendered.
    private static func checkContainer(_ output: URL, codec: VideoCodec, place: String, path: String) throws {
        let ext = output.pathExtension
        let known = VideoContainer(fileExtension: ext)
        if codec == .png {
            if known != nil {
                throw BatchManifestError(path: path, place: place, "\(output.path): codec 'png' writes a directory of PNG frames, "
                    + "not a .\(ext) file (use a name without a video extension, such as {pose}.{ext})")
            }
            return
        }
        guard let known else {
            throw BatchManifestError(path: path, place: place, "\(output.path): "
                + (ext.isEmpty ? "has no file extension" : "has an unknown video file extension '.\(ext)'")
                + " (use .mp4, .mkv, .webm or .mov, or {ext})")
        }
        guard codec.allowedContainers.contains(known) else {
            let names = codec.allowedContainers.compactMap(\.fileExtension).map { ".\($0)" }.joined(separator: " or ")
            throw BatchManifestError(path: path, place: place, "\(output.path): codec '\(codec.rawValue)' cannot be stored in a .\(ext) file (use \(names))")
        }
    }
}
