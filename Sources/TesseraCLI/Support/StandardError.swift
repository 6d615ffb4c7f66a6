import Foundation

/// Writes lines to standard error, which carries messages and progress; stdout carries results.
enum StandardError {
    static func write(_ line: String) {
        FileHandle.standardError.write(Data((line.hasSuffix("\n") ? line : line + "\n").utf8))
    }
}
