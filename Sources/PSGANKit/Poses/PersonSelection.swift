/// Which person to take from a frame that holds several (OpenPose, ComfyUI, COCO, MMPose input).
public enum PersonSelection: Equatable, Sendable {
    /// The person whose present keypoints span the largest bounding box (area); ties go to the first.
    case largest
    /// The person at this index (from 0) in the frame's list; a frame with fewer people has nobody.
    case index(Int)

    /// The chosen index among `people` (keypoint lists), or `nil` when nobody qualifies.
    public func choose(from people: [[Keypoint]]) -> Int? {
        switch self {
        case .index(let n):
            return n >= 0 && n < people.count ? n : nil
        case .largest:
            guard !people.isEmpty else { return nil }
            var best = 0, bestArea = -1.0
            for (i, person) in people.enumerated() {
                let area = Self.boundingBoxArea(person)
                if area > bestArea {
                    best = i
                    bestArea = area
                }
            }
            return best
        }
    }

    /// A problem when this asks for a person by index and no frame has that many people, else `nil`.
    ///
    /// `mostPeople` is the largest number of people in one frame.
    func absence(mostPeople: Int) -> String? {
        guard case .index(let n) = self, n >= mostPeople else { return nil }
        return "no frame has person \(n) (counted from 0; the most people in one frame is \(mostPeople))"
    }

    /// The area of the box around the present keypoints (0 with fewer than two).
    public static func boundingBoxArea(_ keypoints: [Keypoint]) -> Double {
        let present = keypoints.filter(\.isPresent)
        guard let first = present.first else { return 0 }
        var minX = first.x, maxX = first.x, minY = first.y, maxY = first.y
        for k in present {
            minX = min(minX, k.x); maxX = max(maxX, k.x); minY = min(minY, k.y); maxY = max(maxY, k.y)
        }
        return (maxX - minX) * (maxY - minY)
    }
}
