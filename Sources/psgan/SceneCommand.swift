import ArgumentParser
import Foundation
import PSGANKit

/// `psgan scene`: scene files (several characters in one shot).
struct SceneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scene",
        abstract: "Make scene files for `psgan render --scene` (docs/scenes.md).",
        subcommands: [SceneFromPeopleCommand.self]
    )
}

/// `psgan scene from-people`: one character per person of a multi-person pose input.
struct SceneFromPeopleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "from-people",
        abstract: "Write a scene with one character per person of a multi-person take (OpenPose, COCO, MMPose, ComfyUI), each where it stands.",
        discussion: """
            Example:
              psgan scene from-people op/ --canvas 1280x720 --seeds 3,14 --out duet.json
              psgan render --scene duet.json --out duet.mp4
            """
    )

    @Argument(help: "Pose input with several people: an OpenPose folder or file, COCO, MMPose or ComfyUI.")
    var input: String

    @Option(help: ArgumentHelp("Seeds for the people in order (default 0, 1, 2, ...).", valueName: "N,N,..."),
            transform: { text in
                let seeds = text.split(separator: ",").compactMap { UInt64($0.trimmingCharacters(in: .whitespaces)) }
                guard !seeds.isEmpty, seeds.count == text.split(separator: ",").count else {
                    throw ValidationError("--seeds must be a comma-separated list of seeds, found '\(text)'")
                }
                return seeds
            })
    var seeds: [UInt64] = []

    @OptionGroup(title: "Pose input")
    var reading: PoseInputOptions

    @Option(help: "The scene file to write.")
    var out: String

    func validate() throws {
        if reading.person != nil {
            throw ValidationError("--person does not go with from-people, which makes a character of every person")
        }
        if Set(seeds).count != seeds.count {
            throw ValidationError("--seeds gives a seed twice; each person's character must differ")
        }
    }

    func run() throws {
        let output = URL(fileURLWithPath: out)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: out, isDirectory: &isDirectory), isDirectory.boolValue {
            throw PSGANError(.manifest, file: out, "is a directory (give the scene file's name, e.g. \(ErrorText.quoted(out + "/scene.json")))")
        }
        let text = try Scene.text(people: PoseInput(url: URL(fileURLWithPath: input), reading: reading.reading), seeds: seeds,
                                  sceneDirectory: output.deletingLastPathComponent())
        do {
            try Data(text.utf8).write(to: output, options: .atomic)
        } catch {
            throw PSGANError(.manifest, file: out, "cannot write (\(ErrorText.reason(error)))")
        }
        print("wrote \(ErrorText.escaped(out))")
    }
}
