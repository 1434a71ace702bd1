import Foundation

extension PoseFileReader {
    /// Reads COCO keypoint annotations (`person_keypoints_*.json` style) as a sequence.
    ///
    /// Each image is a frame, ordered by `id` (or by `file_name`, see ``COCOImageOrder``); each
    /// annotation whose `image_id` names it is a person with `keypoints` `[x, y, v] * 17` in COCO
    /// order. `v` 0 is missing, 1 (labelled, hidden) is confidence 0.5, 2 (visible) is 1. The
    /// person is chosen per frame (the largest by default); an image without annotations is a frame
    /// with every keypoint missing. The 17 keypoints become COCO-18, the neck made from the
    /// shoulders (see ``COCO17``). The canvas is the images' `width` x `height` (all must agree)
    /// unless `--canvas` gives it.
    struct COCOAnnotationParser {
        let url: URL
        let person: PersonSelection
        let canvas: CanvasSize?
        let order: COCOImageOrder

        private func fail(_ problem: String, frame: Int? = nil, keypoint: Int? = nil) -> PSGANError {
            PSGANError(.poses, url: url, frame: frame, keypoint: keypoint, problem: problem)
        }

        private struct Image {
            var id: Double
            var name: String
            var width: Double?
            var height: Double?
            var people: [[Keypoint]] = []
        }

        func parse(_ root: JSONValue) throws -> PoseSequence {
            guard case .object(let object) = root else { throw fail("not a COCO annotation file (the top level is \(root.kind))") }
            guard case .array(let imageValues)? = object["images"] else {
                throw fail("\"images\" is \(object["images"]?.kind ?? "missing"), not an array")
            }
            guard case .array(let annotationValues)? = object["annotations"] else {
                throw fail("\"annotations\" is \(object["annotations"]?.kind ?? "missing"), not an array")
            }
            guard !imageValues.isEmpty else { throw fail("\"images\" is empty") }
            var images: [Image] = []
            for (i, value) in imageValues.enumerated() {
                guard case .object(let image) = value else { throw fail("images[\(i)] is \(value.kind), not an object") }
                guard case .number(let id)? = image["id"] else {
                    throw fail("images[\(i)].id is \(image["id"]?.kind ?? "missing"), not a number")
                }
                var name = ""
                if case .string(let text)? = image["file_name"] { name = text }
                func dimension(_ key: String) throws -> Double? {
                    guard let v = image[key], v != .null else { return nil }
                    guard case .number(let n) = v, n.isFinite, n > 0 else { throw fail("images[\(i)].\(key) is \(v.kind), not a number above 0") }
                    return n
                }
                images.append(Image(id: id, name: name, width: try dimension("width"), height: try dimension("height")))
            }
            switch order {
            case .id:
                images.sort { $0.id < $1.id }
            case .name:
                images.sort { $0.name.compare($1.name, options: [.numeric]) == .orderedAscending }
            }
            var frameOf: [Double: Int] = [:]
            for (f, image) in images.enumerated() {
                if frameOf[image.id] != nil { throw fail("two images have id \(image.id.displayed())") }
                frameOf[image.id] = f
            }
            for (a, value) in annotationValues.enumerated() {
                guard case .object(let annotation) = value else { throw fail("annotations[\(a)] is \(value.kind), not an object") }
                guard case .number(let imageID)? = annotation["image_id"], let f = frameOf[imageID] else {
                    throw fail("annotations[\(a)].image_id is \(annotation["image_id"]?.kind ?? "missing"), which names no image")
                }
                guard case .array(let values)? = annotation["keypoints"] else { continue }  // not a keypoint annotation
                guard values.count == 51 else {
                    throw fail("annotations[\(a)].keypoints has \(values.count) values; expected 51 ([x, y, v] for 17 keypoints)", frame: f)
                }
                var keypoints: [Keypoint] = []
                for k in 0..<17 {
                    var parts: [Double] = []
                    for (o, name) in ["x", "y", "v"].enumerated() {
                        guard case .number(let n) = values[k * 3 + o], n.isFinite else {
                            throw fail("annotations[\(a)]: \(name) of \(COCO17.names[k]) is \(values[k * 3 + o].kind), not a finite number", frame: f)
                        }
                        parts.append(n)
                    }
                    guard [0, 1, 2].contains(parts[2]) else {
                        throw fail("annotations[\(a)]: v of \(COCO17.names[k]) is \((parts[2]).displayed()); COCO uses 0, 1 or 2", frame: f)
                    }
                    keypoints.append(parts[2] == 0 ? .missing : Keypoint(x: parts[0], y: parts[1], confidence: parts[2] == 2 ? 1 : 0.5))
                }
                images[f].people.append(keypoints)
            }
            if let problem = person.absence(mostPeople: images.map(\.people.count).max() ?? 0) { throw fail(problem) }
            let frames = images.map { image -> [Keypoint] in
                guard let chosen = person.choose(from: image.people) else { return [Keypoint](repeating: .missing, count: 18) }
                return COCO17.toCOCO18(image.people[chosen])
            }
            let size: (Double, Double)
            if let canvas {
                size = (Double(canvas.width), Double(canvas.height))
            } else {
                guard let w = images[0].width, let h = images[0].height else {
                    throw fail("the images have no width and height; pass --canvas WxH", frame: 0)
                }
                if let f = images.firstIndex(where: { $0.width != w || $0.height != h }) {
                    throw fail("the image is \(images[f].width.map { $0.displayed() } ?? "?")x\(images[f].height.map { $0.displayed() } ?? "?") but frame 0's is \(w.displayed())x\(h.displayed()); pass --canvas WxH to use one size", frame: f)
                }
                size = (w, h)
            }
            return PoseSequence(layout: "coco18", keypointCount: 18, fps: nil, canvasWidth: size.0, canvasHeight: size.1, frames: frames)
        }
    }
}
