import Foundation
import ImageIO

/// One image to upscale and where its result goes.
struct UpscaleJob: Sendable {
    var input: URL
    var output: URL
    /// The output exists from an earlier batch run: skipped, never overwritten.
    var skip: Bool
}

/// Turns `tessera upscale` arguments into jobs: one input and an output file, or inputs and
/// folders into an output folder.
enum UpscaleJobs {
    static func plan(inputs: [String], output: String, format: String?) throws -> [UpscaleJob] {
        var files: [URL] = []
        var sawFolder = false
        for input in inputs {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: input, isDirectory: &isDirectory) else {
                throw CLIError("\(input): no such file or folder")
            }
            if isDirectory.boolValue {
                sawFolder = true
                let folder = URL(fileURLWithPath: input)
                let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
                files += names.filter { !$0.hasPrefix(".") && ImageFormat(pathExtension: ($0 as NSString).pathExtension) != nil }
                    .map { folder.appendingPathComponent($0) }
            } else {
                files.append(URL(fileURLWithPath: input))
            }
        }
        guard !files.isEmpty else { throw CLIError("no images (.png, .jpg, .tif, .webp, .avif, .heic, .heif, .jxl) found in \(inputs.joined(separator: ", "))") }
        let target = URL(fileURLWithPath: output)
        let singleFile = files.count == 1 && !sawFolder && ImageFormat(pathExtension: target.pathExtension) != nil
        if singleFile {
            try refuseInput(files[0], as: target)
            return [UpscaleJob(input: files[0], output: target, skip: false)]
        }
        if ImageFormat(pathExtension: target.pathExtension) != nil {
            throw CLIError("\(output): several images go into a folder; give a folder name")
        }
        var seen = Set<String>()
        return try files.map { file in
            // A read-only input format (HEIF, JPEG XL) is written as PNG unless --format says otherwise.
            let ext = format ?? (ImageFormat(pathExtension: file.pathExtension)?.isWritable == false ? "png" : file.pathExtension)
            let destination = target.appendingPathComponent(file.deletingPathExtension().lastPathComponent).appendingPathExtension(ext)
            guard seen.insert(destination.path).inserted else {
                throw CLIError("\(file.path): another input also writes \(destination.path); rename one of them")
            }
            try refuseInput(file, as: destination)
            return UpscaleJob(input: file, output: destination, skip: FileManager.default.fileExists(atPath: destination.path))
        }
    }

    private static func refuseInput(_ input: URL, as output: URL) throws {
        if input.standardizedFileURL.resolvingSymlinksInPath() == output.standardizedFileURL.resolvingSymlinksInPath() {
            throw CLIError("\(output.path): the output would overwrite the input; choose another name or folder")
        }
    }
}
