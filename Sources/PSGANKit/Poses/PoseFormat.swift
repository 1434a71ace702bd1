/// The kinds of pose input psgan reads (see `docs/pose-format.md`).
public enum PoseFormat: String, CaseIterable, Sendable {
    /// psgan's own JSON format.
    case native
    /// OpenPose `*_keypoints.json`: one file, or a directory of them.
    case openpose
    /// ComfyUI's `POSE_KEYPOINT` JSON: a list of frames with `canvas_width`, `canvas_height` and `people`.
    case comfyui
    /// COCO keypoint annotations: `images` and `annotations` with 17 `[x, y, v]` keypoints.
    case coco
    /// MMPose inferencer predictions: frames of `instances` with `keypoints` and `keypoint_scores`.
    case mmpose
    /// BVH motion capture, projected through a camera.
    case bvh

    /// Whether files of this format can hold several people per frame (a person is then chosen
    /// with ``PersonSelection``); native pose files and BVH takes hold one.
    public var holdsSeveralPeople: Bool {
        switch self {
        case .openpose, .comfyui, .coco, .mmpose: return true
        case .native, .bvh: return false
        }
    }

    /// The format of `root`, a parsed JSON file, or `nil` when it is none of the JSON formats.
    static func detect(json root: PoseFileReader.JSONValue) -> PoseFormat? {
        switch root {
        case .object(let object):
            if object["format"] != nil { return .native }
            if object["people"] != nil { return object["canvas_width"] != nil ? .comfyui : .openpose }
            if object["images"] != nil, object["annotations"] != nil { return .coco }
            if object["instance_info"] != nil { return .mmpose }
            return nil
        case .array(let items):
            guard case .object(let first)? = items.first else { return nil }
            if first["people"] != nil || first["canvas_width"] != nil { return .comfyui }
            if first["instances"] != nil || first["keypoints"] != nil || first["keypoint_scores"] != nil { return .mmpose }
            return nil
        default:
            return nil
        }
    }
}
