import Foundation

/// The manifest reader's pieces: settings, characters, names and checks, each naming its place.
extension BatchManifest {
    // MARK: - Pieces

    static func checkKeys<Keys: Sequence>(_ object: [String: JSON], allowed: Keys, place: String, path: String) throws
        where Keys.Element == String {
        let allowedSet = Set(allowed)
        if let unknown = object.keys.sorted().first(where: { !allowedSet.contains($0) }) {
            throw PSGANError(.manifest, file: path, place: place, "unknown key \"\(unknown)\" (known: \(allowedSet.sorted().joined(separator: ", ")))")
        }
    }

    /// `file` resolves the manifest's relative paths (against its directory).
    static func settings(_ object: [String: JSON], place: String, path: String, file: (String) -> URL) throws -> Settings {
        func fail(_ problem: String) -> PSGANError { PSGANError(.manifest, file: path, place: place, problem) }
        let fields = Fields(object: object, fail: fail)
        let string = fields.string, integer = fields.wholeNumber
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
        settings.framePerPose = try fields.bool("frame_per_pose")
        settings.alpha = try fields.bool("alpha")
        if let text = try string("background") {
            // A colour now; a file is opened when the job runs, as every file a job reads.
            settings.background = Background.color(parsing: text) ?? .file(file(text))
        }
        if let text = try string("place") {
            guard let placement = Placement(parsing: text) else { throw fail("\"place\" must be \(Placement.rule), found \(ErrorText.quoted(text))") }
            settings.place = placement
        }
        if let value = object["audio"] {
            settings.audio = try audio(value, fail: fail, file: file)
        }
        if let tile = try integer("tile") {
            guard tile >= 1 else { throw fail("\"tile\" must be at least 1") }
            settings.tile = tile
        }
        return settings
    }

    /// An `"audio"` value: a file, or `{"file": F, "offset": S, "keep_length": B}` (as `--audio`,
    /// `--audio-offset` and `--keep-length`).
    static func audio(_ value: JSON, fail: @escaping (String) -> PSGANError, file: (String) -> URL) throws -> AudioTrack {
        switch value {
        case .string(let text) where !text.isEmpty:
            return AudioTrack(file: file(text))
        case .object(let object):
            let fields = Fields(object: object, fail: fail)
            try fields.checkKeys(["file", "offset", "keep_length"], in: "audio")
            guard let text = try fields.string("file") else { throw fail("\"audio\" needs a \"file\"") }
            let offset = try fields.number("offset") ?? 0
            guard abs(offset) < AudioTrack.offsetLimit else { throw fail("\"offset\" in \"audio\" must be a number of seconds under a day") }
            return AudioTrack(file: file(text), offset: offset, keepLength: try fields.bool("keep_length") ?? false)
        default:
            throw fail("\"audio\" must be an audio file or {\"file\", \"offset\", \"keep_length\"}, found \(value.kind)")
        }
    }

    static func canvas(_ value: JSON, place: String, path: String) throws -> CanvasSize {
        if case .string(let text) = value, let size = CanvasSize(parsing: text) { return size }
        throw PSGANError(.manifest, file: path, place: place, "\"canvas\" must be a size such as \"1280x720\", found \(value.kind)")
    }

    static func character(_ value: JSON, place: String, path: String, file: (String) -> URL) throws -> CharacterEntry {
        func fail(_ problem: String) -> PSGANError { PSGANError(.manifest, file: path, place: place, problem) }
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
                            throw PSGANError(.manifest, file: path, place: where_, "'\(text)' is not FILE.json[@FRAME] or seed:N[@FRAME]")
                        }
                        keyframe = parsed
                        if let file_ = parsed.path { keyframe.path = file(file_).path }
                    case .object(let object):
                        try checkKeys(object, allowed: ["seed", "file", "frame"], place: where_, path: path)
                        var frame = 0
                        if let value = object["frame"] {
                            guard case .number(let number) = value, number >= 0, number == number.rounded(), number < 1e9 else {
                                throw PSGANError(.manifest, file: path, place: where_, "\"frame\" must be a frame number (0 or more), found \(value.kind)")
                            }
                            frame = Int(number)
                        }
                        switch (object["seed"], object["file"]) {
                        case (let seedValue?, nil):
                            keyframe = CharacterKeyframe(path: nil, seed: try seed(seedValue, place: where_, path: path), frame: frame)
                        case (nil, .string(let text)?) where !text.isEmpty:
                            keyframe = CharacterKeyframe(path: file(text).path, seed: nil, frame: frame)
                        default:
                            throw PSGANError(.manifest, file: path, place: where_, "needs either a \"seed\" or a \"file\" (a character file path)")
                        }
                    default:
                        throw PSGANError(.manifest, file: path, place: where_, "must be a string such as \"seed:9@90\" or an object, found \(item.kind)")
                    }
                    if let other = keyframes.firstIndex(where: { $0.frame == keyframe.frame }) {
                        throw PSGANError(.manifest, file: path, place: where_, "keyframes[\(other)] is at frame \(keyframe.frame) too")
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

    static func seed(_ value: JSON, place: String, path: String) throws -> UInt64 {
        switch value {
        case .number(let number) where number >= 0 && number == number.rounded() && number <= 0x1p53:
            return UInt64(number)
        case .string(let text):
            if let seed = UInt64(text) { return seed }
        default:
            break
        }
        throw PSGANError(.manifest, file: path, place: place, "a seed must be a whole number from 0 to 2^53 (or a decimal string up to 2^64-1), found \(value.kind)")
    }

    static func name(_ value: JSON?, default fallback: String, place: String, path: String) throws -> String {
        guard let value else { return fallback }
        guard case .string(let text) = value else {
            throw PSGANError(.manifest, file: path, place: place, "\"name\" must be a string, found \(value.kind)")
        }
        return text
    }

    /// Names go into output paths: one path component, printable.
    static func checkName(_ name: String, place: String, path: String) throws {
        let bad = name.isEmpty || name == "." || name == ".." || name.contains("/")
            || name.unicodeScalars.contains { $0.properties.generalCategory == .control }
        if bad {
            throw PSGANError(.manifest, file: path, place: place, "the name '\(name)' cannot be part of a file name "
                + "(it must be non-empty, without '/' or control characters, and not '.' or '..')")
        }
    }

    /// The file name without directory and extension: `walk` for `poses/walk.json` or `op/walk/`.
    /// Worked on the string itself: a file URL would percent-encode characters such as NUL.
    static func stem(_ text: String) -> String {
        let last = text.split(separator: "/").last.map(String.init) ?? text
        guard let dot = last.lastIndex(of: "."), dot != last.startIndex else { return last }
        return String(last[..<dot])
    }

    /// The same check ``VideoWriter`` makes, done before anything is rendered.
    static func checkContainer(_ output: URL, codec: VideoCodec, place: String, path: String) throws {
        let ext = output.pathExtension
        let known = VideoContainer(fileExtension: ext)
        if codec == .png {
            if known != nil {
                throw PSGANError(.manifest, file: path, place: place, "\(output.path): codec 'png' writes a directory of PNG frames, "
                    + "not a .\(ext) file (use a name without a video extension, such as {pose}.{ext})")
            }
            return
        }
        guard let known else {
            throw PSGANError(.manifest, file: path, place: place, "\(output.path): "
                + (ext.isEmpty ? "has no file extension" : "has an unknown video file extension '.\(ext)'")
                + " (use .mp4, .mkv, .webm or .mov, or {ext})")
        }
        guard codec.allowedContainers.contains(known) else {
            let names = codec.allowedContainers.compactMap(\.fileExtension).map { ".\($0)" }.joined(separator: " or ")
            throw PSGANError(.manifest, file: path, place: place, "\(output.path): codec '\(codec.rawValue)' cannot be stored in a .\(ext) file (use \(names))")
        }
    }
}
