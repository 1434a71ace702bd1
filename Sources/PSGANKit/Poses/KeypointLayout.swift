/// A named, ordered list of body keypoints, such as OpenPose's COCO-18 or BODY_25.
///
/// A pose frame is an array of keypoints in the order of its layout: `frame[i]` is the keypoint
/// called `keypointNames[i]`. The built-in layouts are ``coco18`` and ``body25``; a pose file may
/// also use a layout of its own, which is then known only by its name and keypoint count.
public struct KeypointLayout: Equatable, Sendable {
    /// The layout's canonical name, as written in pose files: `coco18`, `body25`, ...
    public let name: String
    /// The keypoint names, in frame order.
    public let keypointNames: [String]

    /// Creates a layout from its name and its keypoint names in frame order.
    public init(name: String, keypointNames: [String]) {
        self.name = name
        self.keypointNames = keypointNames
    }

    /// The number of keypoints per frame.
    public var count: Int { keypointNames.count }

    /// The index of the keypoint with the given name, if the layout has one.
    public func index(of keypointName: String) -> Int? {
        keypointNames.firstIndex(of: keypointName)
    }

    /// OpenPose's COCO-18 body layout (`--model_pose COCO`), 18 keypoints.
    public static let coco18 = KeypointLayout(name: "coco18", keypointNames: [
        "Nose", "Neck",
        "RShoulder", "RElbow", "RWrist",
        "LShoulder", "LElbow", "LWrist",
        "RHip", "RKnee", "RAnkle",
        "LHip", "LKnee", "LAnkle",
        "REye", "LEye", "REar", "LEar",
    ])

    /// OpenPose's BODY_25 layout (its default model), 25 keypoints.
    public static let body25 = KeypointLayout(name: "body25", keypointNames: [
        "Nose", "Neck",
        "RShoulder", "RElbow", "RWrist",
        "LShoulder", "LElbow", "LWrist",
        "MidHip",
        "RHip", "RKnee", "RAnkle",
        "LHip", "LKnee", "LAnkle",
        "REye", "LEye", "REar", "LEar",
        "LBigToe", "LSmallToe", "LHeel",
        "RBigToe", "RSmallToe", "RHeel",
    ])

    /// Every built-in layout.
    public static let builtIns: [KeypointLayout] = [.coco18, .body25]

    /// The built-in layout with the given name, or `nil`.
    ///
    /// Matching ignores case, `-` and `_`, so `COCO-18`, `BODY_25` and `body_25` are accepted
    /// besides the canonical `coco18` and `body25`.
    public static func builtIn(named name: String) -> KeypointLayout? {
        let key = normalized(name)
        return builtIns.first { normalized($0.name) == key }
    }

    /// The canonical name for `name`: the built-in layout's name if it is one, else `name` itself.
    static func canonicalName(_ name: String) -> String {
        builtIn(named: name)?.name ?? name
    }

    /// How OpenPose spells the layout in its documentation (`COCO-18`, `BODY_25`).
    var displayName: String {
        switch name {
        case "coco18": return "COCO-18"
        case "body25": return "BODY_25"
        default: return name
        }
    }

    private static func normalized(_ name: String) -> String {
        String(name.lowercased().filter { $0 != "-" && $0 != "_" })
    }
}
