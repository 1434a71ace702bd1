import Foundation

extension PoseFileReader {
    /// Reads ComfyUI's `POSE_KEYPOINT` JSON (as saved from DWPose/OpenPose preprocessor nodes).
    ///
    /// The file is a list of frames (or one frame object), each
    /// `{"people": [{"pose_keypoints_2d": [x, y, c, ...], ...}], "canvas_width": W, "canvas_height": H}`
    /// with 54 (COCO-18) or 75 (BODY_25) values per person. Coordinates are **normalised** (0..1 of
    /// the canvas) when every present keypoint of every frame lies within `[0, 1]`, and are then
    /// multiplied by the canvas size; otherwise they are pixels. All frames must have one canvas
    /// size; `--canvas` overrides it.
    struct ComfyUIParser {
        let url: URL
        let person: PersonSelection
        let canvas: CanvasSize?

        private func fail(_ problem: String, frame: Int? = nil) -> PSGANError {
            PSGANError(.poses, url: url, frame: frame, problem: problem)
        }

        func parse(_ root: JSONValue) throws -> PoseSequence {
            let items: [JSONValue]
            switch root {
            case .array(let list): items = list
            case .object: items = [root]
            default: throw fail("not a ComfyUI POSE_KEYPOINT file (the top level is \(root.kind))")
            }
            guard !items.isEmpty else { throw fail("the list of frames is empty") }
            var size: (width: Double, height: Double)?
            var layout: KeypointLayout?
            var frames: [[Keypoint]?] = []
            var mostPeople = 0
            for (f, item) in items.enumerated() {
                guard case .object(let object) = item else { throw fail("is \(item.kind), not an object", frame: f) }
                let frameSize = try self.size(object, frame: f)
                if let size, let frameSize, size != frameSize {
                    throw fail("the canvas is \(frameSize.width.displayed())x\(frameSize.height.displayed()) but frame 0's is \(size.width.displayed())x\(size.height.displayed()); pass --canvas WxH to use one size", frame: f)
                }
                size = size ?? frameSize
                guard object["people"] != nil else { throw fail("missing \"people\"", frame: f) }
                mostPeople = max(mostPeople, PoseFileReader.peopleCount(object))
                let chosen = try PoseFileReader.parseOpenPoseFrame(object, url: url, frame: f, person: person)
                if let chosen {
                    if let layout, layout != chosen.layout {
                        throw fail("has \(chosen.layout.displayName) keypoints but earlier frames have \(layout.displayName)", frame: f)
                    }
                    layout = chosen.layout
                }
                frames.append(chosen?.keypoints)
            }
            guard let layout else {
                throw fail("\(person.absence(mostPeople: mostPeople) ?? "nobody is in any frame"), so the keypoint layout cannot be told")
            }
            let canvasSize: (width: Double, height: Double)
            if let canvas {
                canvasSize = (Double(canvas.width), Double(canvas.height))
            } else if let size {
                canvasSize = size
            } else {
                throw fail("no frame has canvas_width and canvas_height; pass --canvas WxH")
            }
            let empty = [Keypoint](repeating: .missing, count: layout.count)
            var keypoints = frames.map { $0 ?? empty }
            if Self.isNormalised(keypoints) {
                keypoints = keypoints.map { frame in
                    frame.map { k in
                        k.isPresent ? Keypoint(x: k.x * canvasSize.width, y: k.y * canvasSize.height, confidence: k.confidence) : k
                    }
                }
            }
            return PoseSequence(layout: layout.name, keypointCount: layout.count, fps: nil,
                                canvasWidth: canvasSize.width, canvasHeight: canvasSize.height, frames: keypoints)
        }

        /// Whether every present keypoint lies in `[0, 1]` in both coordinates (and one is present).
        static func isNormalised(_ frames: [[Keypoint]]) -> Bool {
            var any = false
            for frame in frames {
                for k in frame where k.isPresent {
                    guard (0...1).contains(k.x), (0...1).contains(k.y) else { return false }
                    any = true
                }
            }
            return any
        }

        private func size(_ object: [String: JSONValue], frame: Int) throws -> (width: Double, height: Double)? {
            guard let w = object["canvas_width"], let h = object["canvas_height"] else {
                if object["canvas_width"] != nil || object["canvas_height"] != nil {
                    throw fail("has only one of canvas_width and canvas_height", frame: frame)
                }
                return nil
            }
            guard case .number(let width) = w, width.isFinite, width > 0 else {
                throw fail("canvas_width is \(w.kind), not a number above 0", frame: frame)
            }
            guard case .number(let height) = h, height.isFinite, height > 0 else {
                throw fail("canvas_height is \(h.kind), not a number above 0", frame: frame)
            }
            return (width, height)
        }
    }
}
