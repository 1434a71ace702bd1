/// The 17-keypoint COCO body layout (COCO keypoint annotations, MMPose) and its conversion to ``KeypointLayout/coco18``.
///
/// COCO-17 has no neck: it is made as the midpoint of the two shoulders, with the lower of their
/// confidences, when both are present, and is missing otherwise. Every other keypoint is carried
/// over by name.
enum COCO17 {
    /// COCO's keypoint names, in annotation order.
    static let names = [
        "nose", "left_eye", "right_eye", "left_ear", "right_ear",
        "left_shoulder", "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist",
        "left_hip", "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle",
    ]

    /// For each COCO-18 keypoint, the COCO-17 index it comes from (`nil`: the neck).
    static let sourceIndex: [Int?] = [0, nil, 6, 8, 10, 5, 7, 9, 12, 14, 16, 11, 13, 15, 2, 1, 4, 3]

    /// Converts 17 keypoints in COCO order to COCO-18, making the neck from the shoulders.
    static func toCOCO18(_ keypoints: [Keypoint]) -> [Keypoint] {
        precondition(keypoints.count == 17)
        return sourceIndex.map { index in
            if let index { return keypoints[index] }
            let l = keypoints[5], r = keypoints[6]
            guard l.isPresent, r.isPresent else { return .missing }
            return Keypoint(x: (l.x + r.x) / 2, y: (l.y + r.y) / 2, confidence: min(l.confidence, r.confidence))
        }
    }
}
