import Foundation

extension Scene {
    /// The most people ``text(people:seeds:sceneDirectory:)`` makes characters of.
    public static let maximumPeople = 256

    /// The text of a scene file with one character per person of a pose input: every person of a
    /// multi-person input (an OpenPose folder or file, COCO, MMPose, ComfyUI), each where it stands
    /// in the take, or the one performer of a native pose file or BVH take.
    ///
    /// Person `i` gets `seeds[i]`; people past the list get the smallest seeds not already used,
    /// so no two people share a character. Each has `"place": "pose"`; its depth puts people
    /// whose feet are lower in the picture (nearer the camera) in front. Paths in the scene are
    /// written relative to `sceneDirectory`.
    ///
    /// - Throws: for a take with more than ``maximumPeople`` people, or nobody in it.
    public static func text(people input: PoseInput, seeds: [UInt64], sceneDirectory: URL) throws -> String {
        var people: [(person: Int?, bottom: Double)] = []
        var canvas: CanvasSize?
        if try input.format().holdsSeveralPeople {
            for person in 0 ... maximumPeople {
                var one = input
                one.reading.person = .index(person)
                let poses: PoseSequence
                do {
                    poses = try one.read()
                } catch is PSGANError where person > 0 {
                    break
                }
                guard person < maximumPeople else {
                    throw PSGANError(.poses, file: input.displayPath, problem: "holds more than \(maximumPeople) people; "
                        + "a scene made from a take has at most \(maximumPeople) characters")
                }
                canvas = CanvasSize(width: Int(poses.canvasWidth.rounded()), height: Int(poses.canvasHeight.rounded()))
                people.append((person, FigureBounds(poses)?.maxY ?? 0))
            }
        } else {
            let poses = try input.read()
            canvas = CanvasSize(width: Int(poses.canvasWidth.rounded()), height: Int(poses.canvasHeight.rounded()))
            people.append((nil, FigureBounds(poses)?.maxY ?? 0))
        }
        guard let canvas, !people.isEmpty else {
            throw PSGANError(.poses, file: input.displayPath, problem: "holds nobody")
        }
        var chosen = Array(seeds.prefix(people.count))
        var next: UInt64 = 0
        while chosen.count < people.count {
            if !chosen.contains(next) { chosen.append(next) }
            next += 1
        }
        let file = Self.relativePath(of: input.url, from: sceneDirectory)
        var characters: [String] = []
        for (index, entry) in people.enumerated() {
            var poses = ["\"file\": \(file.jsonQuoted)"]
            if let person = entry.person { poses.append("\"person\": \(person)") }
            if let format = input.reading.format { poses.append("\"format\": \"\(format.rawValue)\"") }
            if let given = input.reading.canvas { poses.append("\"canvas\": \"\(given)\"") }
            if let fps = input.reading.inputFPS { poses.append("\"input_fps\": \(fps.displayed(decimals: 6))") }
            let seed = chosen[index]
            characters.append("    {\"name\": \"person\(entry.person ?? 0)\", \"poses\": {\(poses.joined(separator: ", "))}, \"seed\": \(seed), "
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
