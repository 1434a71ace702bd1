import Foundation

/// Reads pose files: the native psgan format, OpenPose, ComfyUI `POSE_KEYPOINT`, COCO keypoint
/// annotations, MMPose predictions and BVH motion capture.
///
/// The format is told from the content, not the file name (or forced with
/// ``PoseReadOptions/format``):
/// - a **directory** is OpenPose output: every `*_keypoints.json` file in it, in name order
///   (runs of digits compare as numbers, so `f2` comes before `f10`), is one frame;
/// - a **file** starting with `HIERARCHY` is BVH;
/// - a JSON **object** with `"format"` is the native format (see `docs/pose-format.md`); with
///   `"people"` a single OpenPose frame (a ComfyUI frame when it also has `"canvas_width"`); with
///   `"images"` and `"annotations"` COCO; with `"instance_info"` MMPose;
/// - a JSON **array** of objects with `"people"` or `"canvas_width"` is ComfyUI; with
///   `"instances"` (or `"keypoints"`) MMPose;
/// - anything else is a ``PSGANError``.
///
/// Every problem with the input, down to one bad number, is reported as a ``PSGANError`` that
/// names the file (and the frame and keypoint where it applies); nothing read from a file can
/// make the reader crash.
public enum PoseFileReader {
    /// The largest file the reader will open, in bytes (64 MiB: over an hour of BODY_25 poses).
    public static let maximumFileSize = 64 << 20

    /// Reads the pose file or OpenPose directory at `url`, taking the largest person in each frame.
    ///
    /// - Parameters:
    ///   - url: a pose file of any supported format, or a directory of OpenPose files.
    ///   - canvas: the size in pixels of the images the poses were detected on. OpenPose files do
    ///     not record it, so it is required for them; for a native file it overrides the file's
    ///     own `canvas`.
    /// - Returns: the poses; `fps` is `nil` for OpenPose input.
    public static func read(_ url: URL, canvas: CanvasSize? = nil) throws -> PoseSequence {
        try read(url, options: PoseReadOptions(canvas: canvas))
    }

    /// Reads the pose input at `url` as `options` say (format, person, canvas, BVH camera); input
    /// that records no frame rate gets ``PoseReadOptions/inputFPS``.
    public static func read(_ url: URL, options: PoseReadOptions) throws -> PoseSequence {
        var poses = try readRecorded(url, options: options)
        if poses.fps == nil, let fps = options.inputFPS { poses.fps = fps }
        return poses
    }

    /// The pose input at `url` as recorded (no frame rate filled in).
    private static func readRecorded(_ url: URL, options: PoseReadOptions) throws -> PoseSequence {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw PSGANError(.poses, url: url, problem: "no such file or directory")
        }
        let canvas = options.canvas
        if let canvas, canvas.width <= 0 || canvas.height <= 0 {
            throw PSGANError(.poses, url: url, problem: "the canvas size must be positive (got \(canvas.width)x\(canvas.height))")
        }
        if isDirectory.boolValue {
            if let format = options.format, format != .openpose {
                throw PSGANError(.poses, url: url, problem: "is a directory; only OpenPose input (a directory of *_keypoints.json files) can be, not \(format.rawValue)")
            }
            return try readOpenPoseDirectory(url, canvas: canvas, person: options.person)
        }

        let data = try loadData(at: url)
        if options.format == .bvh || (options.format == nil && looksLikeBVH(data)) {
            let bvh = try BVHFile(data: data, file: PSGANError.displayPath(of: url))
            var camera = options.camera
            if let canvas {
                camera.canvasWidth = Double(canvas.width)
                camera.canvasHeight = Double(canvas.height)
            }
            return try BVHPoseMapping.poses(bvh, camera: camera, file: PSGANError.displayPath(of: url))
        }
        let root = try parseJSON(data, url: url)
        let format: PoseFormat
        if let forced = options.format {
            format = forced
        } else if let detected = PoseFormat.detect(json: root) {
            format = detected
        } else {
            throw undetected(root, url: url)
        }

        switch format {
        case .native:
            guard case .object(let object) = root else {
                throw PSGANError(.poses, url: url, problem: "not a psgan pose file (the top level is \(root.kind), not an object)")
            }
            var poses = try NativeParser(url: url, root: object).parse()
            if let canvas {
                poses.canvasWidth = Double(canvas.width)
                poses.canvasHeight = Double(canvas.height)
            }
            return poses
        case .openpose:
            guard case .object(let object) = root, object["people"] != nil else {
                throw PSGANError(.poses, url: url, problem: "not an OpenPose keypoints file (missing \"people\")")
            }
            let frame = try parseOpenPoseFrame(object, url: url, person: options.person)
            guard let frame else {
                let why = options.person.absence(mostPeople: Self.peopleCount(object)) ?? "nobody is in this OpenPose frame (\"people\" is empty)"
                throw PSGANError(.poses, url: url, problem: "\(why), so its keypoint layout cannot be told")
            }
            let size = try openPoseCanvas(canvas, url: url)
            return PoseSequence(layout: frame.layout.name, keypointCount: frame.layout.count, fps: nil,
                                canvasWidth: size.width, canvasHeight: size.height, frames: [frame.keypoints])
        case .comfyui:
            return try ComfyUIParser(url: url, person: options.person, canvas: canvas).parse(root)
        case .coco:
            return try COCOAnnotationParser(url: url, person: options.person, canvas: canvas, order: options.cocoOrder).parse(root)
        case .mmpose:
            return try MMPoseParser(url: url, person: options.person, canvas: canvas).parse(root)
        case .bvh:
            fatalError("handled above")
        }
    }

    /// The format of the input at `url`, told from its content as ``read(_:options:)`` does.
    public static func format(of url: URL) throws -> PoseFormat {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw PSGANError(.poses, url: url, problem: "no such file or directory")
        }
        if isDirectory.boolValue { return .openpose }
        let data = try loadData(at: url)
        if looksLikeBVH(data) { return .bvh }
        let root = try parseJSON(data, url: url)
        guard let format = PoseFormat.detect(json: root) else { throw undetected(root, url: url) }
        return format
    }

    /// The error for JSON that is none of the formats psgan reads (the same from every reader).
    static func undetected(_ root: JSONValue, url: URL) -> PSGANError {
        switch root {
        case .object: return PSGANError(.poses, url: url, problem: "not a psgan pose file (missing \"format\")")
        case .array: return PSGANError(.poses, url: url, problem: "not a psgan pose file (the top level is an array, but not of ComfyUI or MMPose frames)")
        default: return PSGANError(.poses, url: url, problem: "not a psgan pose file (the top level is \(root.kind), not an object)")
        }
    }

    /// How many people an OpenPose or ComfyUI frame lists.
    static func peopleCount(_ frame: [String: JSONValue]) -> Int {
        if case .array(let people)? = frame["people"] { return people.count }
        return 0
    }

    /// Whether `data` starts (after white space) with `HIERARCHY`, as BVH files do.
    static func looksLikeBVH(_ data: Data) -> Bool {
        let bytes = data.prefix(256).drop { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D || $0 == 0xEF || $0 == 0xBB || $0 == 0xBF }
        return bytes.starts(with: Array("HIERARCHY".utf8))
    }

    // MARK: - OpenPose

    /// One OpenPose frame: the chosen person's keypoints and the layout their count implies.
    struct OpenPoseFrame {
        var layout: KeypointLayout
        var keypoints: [Keypoint]
    }

    private static func openPoseCanvas(_ canvas: CanvasSize?, url: URL) throws -> (width: Double, height: Double) {
        guard let canvas else {
            throw PSGANError(.poses, url: url, problem: "OpenPose files do not record the image size; pass --canvas WxH")
        }
        return (Double(canvas.width), Double(canvas.height))
    }

    private static func readOpenPoseDirectory(_ url: URL, canvas: CanvasSize?, person: PersonSelection) throws -> PoseSequence {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: url.path)
        } catch {
            throw PSGANError(.poses, url: url, problem: "cannot list the directory (\(ErrorText.reason(error)))")
        }
        let files = names
            .filter { $0.hasSuffix("_keypoints.json") && !$0.hasPrefix(".") }
            .map { url.appendingPathComponent($0, isDirectory: false) }
            .filter { file in
                var isDirectory: ObjCBool = false
                return FileManager.default.fileExists(atPath: file.path, isDirectory: &isDirectory) && !isDirectory.boolValue
            }
            .sorted { a, b in
                let order = a.lastPathComponent.compare(b.lastPathComponent, options: [.numeric])
                return order == .orderedSame ? a.lastPathComponent < b.lastPathComponent : order == .orderedAscending
            }
        guard !files.isEmpty else {
            throw PSGANError(.poses, url: url, problem: "no *_keypoints.json files in this directory")
        }
        let size = try openPoseCanvas(canvas, url: url)

        var layout: KeypointLayout?
        var frames: [[Keypoint]?] = []
        var mostPeople = 0
        frames.reserveCapacity(files.count)
        for file in files {
            let root = try parseJSON(loadData(at: file), url: file)
            guard case .object(let object) = root, object["people"] != nil else {
                throw PSGANError(.poses, url: file, problem: "not an OpenPose keypoints file (missing \"people\")")
            }
            mostPeople = max(mostPeople, peopleCount(object))
            let frame = try parseOpenPoseFrame(object, url: file, person: person)
            if let frame {
                if let layout, layout != frame.layout {
                    throw PSGANError(.poses, url: file, problem: "pose_keypoints_2d has \(frame.layout.count * 3) values (\(frame.layout.displayName)), but earlier frames have \(layout.count * 3) (\(layout.displayName)); all frames must use one layout")
                }
                layout = frame.layout
            }
            frames.append(frame?.keypoints)
        }
        guard let layout else {
            let why = person.absence(mostPeople: mostPeople) ?? "nobody is in any frame (every \"people\" is empty)"
            throw PSGANError(.poses, url: url, problem: "\(why), so the keypoint layout cannot be told")
        }
        let empty = [Keypoint](repeating: .missing, count: layout.count)
        return PoseSequence(layout: layout.name, keypointCount: layout.count, fps: nil,
                            canvasWidth: size.width, canvasHeight: size.height,
                            frames: frames.map { $0 ?? empty })
    }

    /// The chosen person's keypoints in an OpenPose frame, or `nil` when there is nobody to choose.
    ///
    /// Every person is checked, so a damaged entry is reported even when another one is chosen.
    static func parseOpenPoseFrame(_ object: [String: JSONValue], url: URL, frame: Int? = nil,
                                   person selection: PersonSelection) throws -> OpenPoseFrame? {
        guard case .array(let people) = object["people"] else {
            throw PSGANError(.poses, url: url, frame: frame, problem: "\"people\" is \(object["people"]?.kind ?? "missing"), not an array")
        }
        var parsed: [OpenPoseFrame] = []
        for (p, entry) in people.enumerated() {
            guard case .object(let person) = entry else {
                throw PSGANError(.poses, url: url, frame: frame, problem: "person \(p) is \(entry.kind), not an object")
            }
            guard let raw = person["pose_keypoints_2d"] else {
                throw PSGANError(.poses, url: url, frame: frame, problem: "person \(p) has no \"pose_keypoints_2d\"")
            }
            if raw == .null { continue }  // ComfyUI writes null for a person without a body
            guard case .array(let values) = raw else {
                throw PSGANError(.poses, url: url, frame: frame, problem: "pose_keypoints_2d is \(raw.kind), not an array")
            }
            let layout: KeypointLayout
            switch values.count {
            case KeypointLayout.coco18.count * 3: layout = .coco18
            case KeypointLayout.body25.count * 3: layout = .body25
            default:
                throw PSGANError(.poses, url: url, frame: frame, problem: "pose_keypoints_2d has \(values.count) values; expected 54 (COCO-18) or 75 (BODY_25)")
            }
            if let first = parsed.first, first.layout != layout {
                throw PSGANError(.poses, url: url, frame: frame, problem: "person \(p) has \(layout.displayName) keypoints but person 0 has \(first.layout.displayName)")
            }
            var keypoints: [Keypoint] = []
            keypoints.reserveCapacity(layout.count)
            for index in 0..<layout.count {
                func number(_ offset: Int, _ name: String) throws -> Double {
                    let value = values[index * 3 + offset]
                    guard case .number(let number) = value, number.isFinite else {
                        throw PSGANError(.poses, url: url, frame: frame, keypoint: index, problem: "\(name) is not a finite number (got \(value.kind))")
                    }
                    return number
                }
                let x = try number(0, "x"), y = try number(1, "y"), confidence = try number(2, "confidence")
                guard (0...1).contains(confidence) else {
                    throw PSGANError(.poses, url: url, frame: frame, keypoint: index, problem: "confidence \(confidence.displayed()) is outside [0, 1]")
                }
                keypoints.append(Keypoint(x: x, y: y, confidence: confidence))
            }
            parsed.append(OpenPoseFrame(layout: layout, keypoints: keypoints))
        }
        guard let chosen = selection.choose(from: parsed.map(\.keypoints)) else { return nil }
        return parsed[chosen]
    }

    // MARK: - JSON

    /// Reads the regular file at `url` (at most ``maximumFileSize`` bytes).
    static func loadData(at url: URL) throws -> Data {
        try InputFile.data(at: url, kind: .poses, limit: maximumFileSize)
    }

    /// Parses `data`, the JSON text of the file at `url`.
    static func parseJSON(_ data: Data, url: URL) throws -> JSONValue {
        let bytes = [UInt8](data)
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            throw PSGANError(.poses, url: url, problem: "the file is empty")
        }
        guard isValidUTF8(bytes) else {
            throw PSGANError(.poses, url: url, problem: "not UTF-8 text, so not a JSON pose file")
        }
        do {
            return try JSONValue.parse(data)
        } catch {
            throw PSGANError(.poses, url: url, problem: "truncated or invalid JSON (\(error.message))")
        }
    }

    /// Whether `bytes` is well-formed UTF-8.
    private static func isValidUTF8(_ bytes: [UInt8]) -> Bool {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }
}

extension PoseFileReader {
}
