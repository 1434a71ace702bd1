import Foundation

/// Several characters in one shot: a scene file (`docs/scenes.md`), checked whole when read.
///
/// Each character has its own poses (any format psgan reads, with the reading and cleanup options
/// of a manifest's pose entry, such as one `person` of a multi-person OpenPose take), its own
/// character (seed, file or keyframes), a placement on the output canvas, a start frame and a
/// depth. Characters are composited back to front (higher `depth` further back; on equal depth,
/// later in the list in front) over the background.
public struct Scene: Sendable {
    /// Where a character goes.
    public enum Place: Equatable, Sendable {
        /// Where its figure is in its pose file's canvas, that canvas fitted onto the output.
        case pose
        /// An explicit centre and scale.
        case at(Placement)
    }

    /// One character of a scene.
    public struct Actor: Sendable {
        /// The character's name (distinct within the scene).
        public var name: String
        /// Its poses.
        public var poses: PoseInput
        /// Its character.
        public var characters: RenderJob.Characters
        /// Where it goes.
        public var place: Place
        /// The output frame its first pose frame appears at.
        public var start: Int
        /// Its depth: higher is further back.
        public var depth: Double
    }

    /// The scene file.
    public var url: URL
    /// The output canvas; nil takes the background image's or plate's size.
    public var size: CanvasSize?
    /// The background; nil is white.
    public var background: Background?
    /// The characters, in file order.
    public var actors: [Actor]

    typealias JSON = PoseFileReader.JSONValue

    /// Reads and checks the scene file at `url`; relative paths resolve against its directory.
    public init(contentsOf url: URL) throws {
        try self.init(data: try InputFile.data(at: url, kind: .manifest), url: url)
    }

    /// Checks the scene text `data` as if read from `url`.
    public init(data: Data, url: URL) throws {
        let path = url.path
        func fail(_ place: String, _ problem: String) -> PSGANError { PSGANError(.manifest, file: path, place: place, problem) }
        let root: JSON
        do { root = try JSON.parse(data) } catch { throw fail("", "not valid JSON: \(error.message)") }
        guard case .object(let top) = root else { throw fail("", "expected a JSON object with \"version\" and \"characters\", found \(root.kind)") }
        try BatchManifest.checkKeys(top, allowed: ["version", "size", "background", "characters"], place: "", path: path)
        guard case .number(1)? = top["version"] else { throw fail("", "\"version\": 1 is missing") }
        let directory = url.deletingLastPathComponent()
        func file(_ text: String) -> URL {
            (text.hasPrefix("/") ? URL(fileURLWithPath: text) : directory.appendingPathComponent(text)).standardizedFileURL
        }
        self.url = url
        if let value = top["size"] {
            size = try BatchManifest.canvas(value, place: "size", path: path)
        }
        if let value = top["background"] {
            guard case .string(let text) = value, !text.isEmpty else { throw fail("background", "must be a colour or a file path") }
            let resolved = text.hasPrefix("#") || Background.namedColors[text.lowercased()] != nil ? text : file(text).path
            do { background = try Background(parsing: resolved) } catch let error as PSGANError { throw fail("background", error.description) }
        }
        if size == nil, case .color? = background { throw fail("size", "is missing (a colour background has no size of its own)") }
        if size == nil, background == nil { throw fail("size", "is missing (give \"size\": \"WxH\" or an image or video \"background\")") }

        guard case .array(let items)? = top["characters"], !items.isEmpty else {
            throw fail("characters", "must be a non-empty list")
        }
        var actors: [Actor] = []
        for (i, item) in items.enumerated() {
            let place = "characters[\(i)]"
            guard case .object(let object) = item else { throw fail(place, "must be an object, found \(item.kind)") }
            try BatchManifest.checkKeys(object, allowed: ["name", "poses", "seed", "file", "keyframes", "interp", "place", "start", "depth"],
                                        place: place, path: path)
            guard let posesValue = object["poses"] else { throw fail(place, "needs \"poses\": a pose file or a pose entry object") }
            let poses = try BatchManifest.poseEntry(posesValue, place: place, path: path, file: file)
            var characterObject = object.filter { ["name", "seed", "file", "keyframes", "interp"].contains($0.key) }
            if characterObject["name"] == nil { characterObject["name"] = .string("\(poses.name)-\(i)") }
            let character = try BatchManifest.character(.object(characterObject), place: place, path: path, file: file)
            if let other = actors.firstIndex(where: { $0.name == character.name }) {
                throw fail(place, "the name '\(character.name)' is already used by characters[\(other)] (give each a distinct \"name\")")
            }
            var input = poses.input
            if let canvas = poses.canvas { input.reading.canvas = canvas }
            let fields = BatchManifest.Fields(object: object, fail: { fail(place, $0) })
            var where_: Place = .pose
            if let value = object["place"] {
                if case .string("pose") = value {
                    where_ = .pose
                } else if case .string(let text) = value, let placement = Placement(parsing: text) {
                    where_ = .at(placement)
                } else if case .object(let p) = value, case .number(let x)? = p["x"], case .number(let y)? = p["y"],
                          case .number(let s) = p["scale"] ?? .number(1), p.count <= 3, Placement(x: x, y: y, scale: s).isValid {
                    where_ = .at(Placement(x: x, y: y, scale: s))
                } else {
                    let found = if case .string(let text) = value { ErrorText.quoted(text) } else { value.kind }
                    throw fail(place, "\"place\" must be \"pose\", \"X,Y,SCALE\" or {\"x\": X, \"y\": Y, \"scale\": S} "
                        + "(X and Y within ±100000 pixels, SCALE from 0.001 to 1000), found \(found)")
                }
            }
            let start = try fields.wholeNumber("start") ?? 0
            guard start >= 0, start < 10_000_000 else { throw fail(place, "\"start\" must be a frame number, 0 or more") }
            let depth = try fields.number("depth") ?? 0
            actors.append(Actor(name: character.name, poses: input, characters: character.characters, place: where_,
                                start: start, depth: depth))
        }
        self.actors = actors
    }

    /// The characters in drawing order: back (highest depth) to front; on equal depth, list order.
    public var drawingOrder: [Actor] {
        actors.enumerated().sorted { a, b in
            a.element.depth != b.element.depth ? a.element.depth > b.element.depth : a.offset < b.offset
        }.map(\.element)
    }
}
