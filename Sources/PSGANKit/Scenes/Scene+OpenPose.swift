import Foundation

extension Scene {
    /// The text of a scene file with one character per person of a multi-person pose input (an
    /// OpenPose folder or file, COCO, MMPose, ComfyUI), each where it stands in the take.
    ///
    /// Person `i` gets `seeds[i]` (or seed `i` when the list is shorter) and `"place": "pose"`; its
    /// depth puts people whose feet are lower in the picture (nearer the camera) in front. Paths in
    /// the scene are written relative to `sceneDirectory`.
    public static func text(people input: PoseInput, seeds: [UInt64], sceneDirectory: URL) throws -> String {
        var people: [(person: Int, bottom: Double)] = []
        var canvas: CanvasSize?
        for person in 0 ..< 64 {
            var one = input
            one.reading.person = .index(person)
            let poses: PoseSequence
            do {
                poses = try one.read()
            } catch is PSGANError where person > 0 {
                break
            }
            canvas = CanvasSize(width: Int(poses.canvasWidth.rounded()), height: Int(poses.canvasHeight.rounded()))
            people.append((person, FigureBounds(poses)?.maxY ?? 0))
        }
        guard let canvas, !people.isEmpty else {
            throw PSGANError(.poses, file: input.displayPath, problem: "holds nobody")
        }
        let file = Self.relativePath(of: input.url, from: sceneDirectory)
        var characters: [String] = []
        for (index, entry) in people.enumerated() {
            var poses = ["\"file\": \(file.jsonQuoted)", "\"person\": \(entry.person)"]
            if let format = input.reading.format { poses.append("\"format\": \"\(format.rawValue)\"") }
            if let given = input.reading.canvas { poses.append("\"canvas\": \"\(given)\"") }
            if let fps = input.reading.inputFPS { poses.append("\"input_fps\": \(fps.displayed(decimals: 6))") }
            let seed = index < seeds.count ? seeds[index] : UInt64(index)
            characters.append("    {\"name\": \"person\(entry.person)\", \"poses\": {\(poses.joined(separator: ", "))}, \"seed\": \(seed), "
                + "\"place\": \"pose\", \"depth\": \((-entry.bottom).displayed(decimals: 2))}")
        }
        return """
            {
              "version": 1,
              "size": "\(canvas)",
              "characters": [
            \(characters.joined(separator: ",\n"))
              ]
            }

            """
    }

    /// `url`'s path relative to `directory` when it lies inside it, else absolute.
    static func relativePath(of url: URL, from directory: URL) -> String {
        let path = url.standardizedFileURL.path, base = directory.standardizedFileURL.path
        return path.hasPrefix(base + "/") ? String(path.dropFirst(base.count + 1)) : path
    }
}
