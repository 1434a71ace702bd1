import ArgumentParser
import Foundation
import PSGANKit

/// `psgan character`: make character files.
struct CharacterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "character",
        abstract: "Make character files (docs/characters.md).",
        subcommands: [FromImage.self]
    )

    /// `psgan character from-image`: the look of a drawn character.
    struct FromImage: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "from-image",
            abstract: "Write the character file whose look matches a drawn character: its hair, top, bottom and skin colours read at its keypoints.",
            discussion: """
                The keypoints are the picture's pose in its pixels, e.g. the OpenPose JSON ComfyUI's DWPose \
                nodes write for it. The look is as close as the model's look schema allows (psgan model inspect \
                lists it); a seed fills in the rest.

                Example:
                  psgan character from-image mika.png --keypoints mika_keypoints.json --out mika.json
                """
        )

        @Argument(help: "The picture of the character (PNG, JPEG, ...).")
        var image: String

        @Option(help: "The picture's keypoints (OpenPose JSON, or any pose input psgan reads).")
        var keypoints: String

        @Option(help: "Generator file whose look schema the look is for (default: $PSGAN_MODEL, else the bundled model).")
        var model: String?

        @Option(help: "The character's name (default: the picture's file name).")
        var name: String?

        @Option(help: "The seed that fills in what the look leaves out (default 0).")
        var seed: UInt64 = 0

        @Option(help: "The character file to write.")
        var out: String

        func run() throws {
            var job = CharacterFromImage(image: URL(fileURLWithPath: image), keypoints: URL(fileURLWithPath: keypoints),
                                         model: try BundledResources.model(model), output: URL(fileURLWithPath: out))
            job.name = name
            job.seed = seed
            let result = try job.run()
            let parts = result.look.values.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            let clamped = result.clamped.isEmpty ? "" : "; brought into the model's range: " + result.clamped.map { part in
                "\(part) (read \(result.read[part]?.hex ?? "?"))"
            }.joined(separator: ", ")
            print("wrote \(ErrorText.escaped(out)): \(parts)\(clamped)")
        }
    }
}
