import Foundation

/// A manifest's pose entries: the file, and every reading and cleanup option `psgan render` has.
extension BatchManifest {
    static let poseKeys: Set<String> = ["name", "file", "canvas", "format", "person", "input_fps", "coco_order", "camera", "cleanup"]
    static let cameraKeys: Set<String> = ["azimuth", "elevation", "distance", "projection"]
    static let cleanupKeys: Set<String> = ["min_confidence", "flip", "max_gap", "smooth", "resample", "retarget", "margin", "loop"]
    static let smoothKeys: Set<String> = ["min_cutoff", "beta", "d_cutoff"]

    /// A pose entry: a path, or an object with a `file` and reading and cleanup options.
    static func poseEntry(_ value: JSON, place: String, path: String, file: (String) -> URL) throws -> PoseEntry {
        func fail(_ problem: String) -> PSGANError { PSGANError(.manifest, file: path, place: place, problem) }
        switch value {
        case .string(let text) where !text.isEmpty:
            return PoseEntry(name: stem(text), input: PoseInput(url: file(text)), canvas: nil)
        case .object(let object):
            try checkKeys(object, allowed: poseKeys, place: place, path: path)
            guard case .string(let text)? = object["file"], !text.isEmpty else {
                throw fail("needs a \"file\": the pose file or OpenPose directory")
            }
            let fields = Fields(object: object, fail: fail)
            var reading = PoseReadOptions()
            if let format = try fields.string("format") {
                guard let parsed = PoseFormat(rawValue: format) else {
                    throw fail("\"format\" must be one of \(PoseFormat.allCases.map(\.rawValue).joined(separator: ", ")), found '\(format)'")
                }
                reading.format = parsed
            }
            if let person = try fields.wholeNumber("person") {
                guard person >= 0 else { throw fail("\"person\" must be 0 or more") }
                reading.person = .index(person)
            }
            if let fps = try fields.number("input_fps") {
                guard FrameRate.isValid(fps) else { throw fail("\"input_fps\" must be a frame rate \(FrameRate.rangeDescription)") }
                reading.inputFPS = fps
            }
            if let order = try fields.string("coco_order") {
                guard let parsed = COCOImageOrder(rawValue: order) else { throw fail("\"coco_order\" must be \"id\" or \"name\", found '\(order)'") }
                reading.cocoOrder = parsed
            }
            if let camera = object["camera"] {
                reading.camera = try self.camera(camera, fail: fail)
            }
            let cleanup = try object["cleanup"].map { try self.cleanup($0, fail: fail) } ?? PoseCleanup()
            return PoseEntry(name: try name(object["name"], default: stem(text), place: place, path: path),
                             input: PoseInput(url: file(text), reading: reading, cleanup: cleanup),
                             canvas: try object["canvas"].map { try canvas($0, place: place, path: path) })
        default:
            throw fail("must be a pose file path or an object with a \"file\", found \(value.kind)")
        }
    }

    /// A `camera` object: BVH azimuth, elevation, distance and projection.
    static func camera(_ value: JSON, fail: @escaping (String) -> PSGANError) throws -> BVHCamera {
        guard case .object(let object) = value else { throw fail("\"camera\" must be an object, found \(value.kind)") }
        let fields = Fields(object: object, fail: fail)
        try fields.checkKeys(cameraKeys, in: "camera")
        var camera = BVHCamera()
        if let azimuth = try fields.number("azimuth") { camera.azimuth = azimuth }
        if let elevation = try fields.number("elevation") { camera.elevation = elevation }
        if let distance = try fields.number("distance") { camera.distance = distance }
        if let projection = try fields.string("projection") {
            guard let parsed = BVHCamera.Projection(rawValue: projection) else {
                throw fail("\"projection\" must be \"perspective\" or \"orthographic\", found '\(projection)'")
            }
            camera.projection = parsed
        }
        if let problem = camera.problem { throw fail("\"camera\": \(problem)") }
        return camera
    }

    /// A `cleanup` object: the steps of `docs/pose-cleanup.md`, named as `psgan render`'s options.
    static func cleanup(_ value: JSON, fail: @escaping (String) -> PSGANError) throws -> PoseCleanup {
        guard case .object(let object) = value else { throw fail("\"cleanup\" must be an object, found \(value.kind)") }
        let fields = Fields(object: object, fail: fail)
        try fields.checkKeys(cleanupKeys, in: "cleanup")
        var cleanup = PoseCleanup()
        cleanup.minConfidence = try fields.number("min_confidence")
        cleanup.flip = try fields.bool("flip") ?? false
        cleanup.maxGap = try fields.wholeNumber("max_gap") ?? 0
        switch object["smooth"] {
        case nil, .bool(false)?:
            break
        case .bool(true)?:
            cleanup.smoothing = OneEuroFilter()
        case .object(let smooth)?:
            let numbers = Fields(object: smooth, fail: fail)
            try numbers.checkKeys(smoothKeys, in: "smooth")
            cleanup.smoothing = OneEuroFilter(minCutoff: try numbers.number("min_cutoff") ?? 1, beta: try numbers.number("beta") ?? 0.01,
                                              derivativeCutoff: try numbers.number("d_cutoff") ?? 1)
        case let other?:
            throw fail("\"smooth\" must be true, false or an object with \"min_cutoff\", \"beta\", \"d_cutoff\", found \(other.kind)")
        }
        cleanup.resampleFPS = try fields.number("resample")
        let margin = try fields.number("margin") ?? 0.1
        if let text = try fields.string("retarget") {
            guard let retargeting = PoseRetargeting(parsing: text, margin: margin) else {
                throw fail("\"retarget\" must be \"canvas\", \"figure\" or \"scale:S\", found '\(text)'")
            }
            cleanup.retargeting = retargeting
        }
        if let text = try fields.string("loop") {
            guard let loop = PoseLoop(parsing: text) else { throw fail("\"loop\" must be \"pingpong\" or \"blend N\", found '\(text)'") }
            cleanup.loop = loop
        }
        if let problem = cleanup.problem { throw fail("\"cleanup\": \(problem)") }
        return cleanup
    }

    /// Typed reads of an object's keys, each failing with the key's name and what was found.
    struct Fields {
        let object: [String: JSON]
        let fail: (String) -> PSGANError

        /// Throws for the first key (in name order) not in `allowed`, naming the object `name`.
        func checkKeys(_ allowed: Set<String>, in name: String) throws {
            if let unknown = object.keys.sorted().first(where: { !allowed.contains($0) }) {
                throw fail("unknown key \"\(unknown)\" in \"\(name)\" (known: \(allowed.sorted().joined(separator: ", ")))")
            }
        }

        func string(_ key: String) throws -> String? {
            guard let value = object[key] else { return nil }
            guard case .string(let text) = value, !text.isEmpty else { throw fail("\"\(key)\" must be a non-empty string, found \(value.kind)") }
            return text
        }

        func number(_ key: String) throws -> Double? {
            guard let value = object[key] else { return nil }
            guard case .number(let number) = value, number.isFinite else { throw fail("\"\(key)\" must be a number, found \(value.kind)") }
            return number
        }

        func wholeNumber(_ key: String) throws -> Int? {
            guard let value = object[key] else { return nil }
            guard case .number(let number) = value, number == number.rounded(), abs(number) < 1e15 else {
                throw fail("\"\(key)\" must be a whole number, found \(value.kind)")
            }
            return Int(number)
        }

        func bool(_ key: String) throws -> Bool? {
            guard let value = object[key] else { return nil }
            guard case .bool(let flag) = value else { throw fail("\"\(key)\" must be true or false, found \(value.kind)") }
            return flag
        }
    }
}
