package io.corvid.broker.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The documentation shows what the examples do: every code block of docs/embedding.md and of
 * the README's Embedding section appears, line for line, in the example file linked right after
 * it, and every runnable example is documented.
 *
 * <p>Lines are compared without their indentation (a snippet is cut out of a method, so it
 * starts further left) and without a Javadoc "* " prefix (a shell command may be quoted from a
 * class comment).
 */
class EmbeddingDocsTest {
    /** Surefire runs in the module's directory; the documentation lives one level up. */
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    private static final Path EMBEDDING = ROOT.resolve("docs/embedding.md");
    private static final Path EXAMPLES = ROOT.resolve("examples/src/main/java/io/corvid/broker/examples");
    private static final Pattern FENCE = Pattern.compile("(?ms)^```\\w*\\n(.*?)^```\\n");
    private static final Pattern JAVA_LINK = Pattern.compile("\\]\\(([^)\\s]+\\.java)\\)");

    @Test
    void everySnippetOfTheEmbeddingGuideIsInItsExample() throws IOException {
        String guide = Files.readString(EMBEDDING);
        assertEquals(fences(guide) / 2, checkSnippets(EMBEDDING, guide), "every code block checked");
    }

    @Test
    void theReadmeSnippetIsInItsExampleAndTheReadmeLinksTheGuide() throws IOException {
        Path readme = ROOT.resolve("README.md");
        String section = section(Files.readString(readme), "## Embedding");
        assertEquals(1, fences(section) / 2, "one snippet");
        assertEquals(1, checkSnippets(readme, section), "the snippet checked");
        assertTrue(section.contains("](docs/embedding.md)"), "the README links the guide");
    }

    @Test
    void everyRunnableExampleHasASectionInTheGuide() throws IOException {
        Set<String> linked = new TreeSet<>();
        Matcher link = JAVA_LINK.matcher(Files.readString(EMBEDDING));
        while (link.find()) {
            linked.add(Path.of(link.group(1)).getFileName().toString());
        }
        Set<String> runnable;
        try (Stream<Path> files = Files.list(EXAMPLES)) {
            runnable = files.filter(file -> read(file).contains("public static void main(String[] args)"))
                    .map(file -> file.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
        }
        assertEquals(8, runnable.size(), "runnable examples found: " + runnable);
        assertEquals(runnable, linked);
    }

    @Test
    void aSnippetThatDriftedFromItsSourceIsCaught() {
        List<String> source = List.of("class A {", "    void f() {", "        int x = 1;", "    }", "}");
        assertTrue(appearsIn(List.of("void f() {", "    int x = 1;", "}"), source));
        assertFalse(appearsIn(List.of("void f() {", "    int x = 2;", "}"), source));
        assertFalse(appearsIn(List.of("int x = 1;", "void f() {"), source), "the order counts");
        assertTrue(appearsIn(List.of("keytool \\", "    -alias x"),
                List.of("/**", " * keytool \\", " *     -alias x", " */")), "quoted from a Javadoc comment");
    }

    /**
     * Checks each code block of {@code markdown} (the text of {@code file}, or part of it)
     * against the example file of the first link to a .java file that follows the block.
     *
     * @return how many code blocks were checked
     */
    private static int checkSnippets(Path file, String markdown) {
        Matcher block = FENCE.matcher(markdown);
        int checked = 0;
        while (block.find()) {
            Matcher link = JAVA_LINK.matcher(markdown);
            if (!link.find(block.end())) {
                fail("no link to an example follows this code block of " + file + ":\n" + block.group(1));
            }
            Path example = file.getParent().resolve(link.group(1)).normalize();
            assertTrue(Files.isRegularFile(example), "linked from " + file + " but missing: " + example);
            List<String> snippet = List.of(block.group(1).split("\n", -1));
            snippet = snippet.subList(0, snippet.size() - 1); // the block's text ends with a newline
            if (!appearsIn(snippet, List.of(read(example).split("\n", -1)))) {
                fail("this code block of " + file + " is not in " + example + " (any more):\n" + block.group(1));
            }
            checked++;
        }
        return checked;
    }

    /** Whether {@code snippet} is a run of consecutive lines of {@code source}, as the class comment says. */
    static boolean appearsIn(List<String> snippet, List<String> source) {
        List<String> wanted = normalized(snippet);
        List<String> lines = normalized(source);
        for (int start = 0; start + wanted.size() <= lines.size(); start++) {
            if (lines.subList(start, start + wanted.size()).equals(wanted)) {
                return true;
            }
        }
        return false;
    }

    private static List<String> normalized(List<String> lines) {
        List<String> result = new ArrayList<>(lines.size());
        for (String line : lines) {
            String text = line.strip();
            if (text.startsWith("* ") || text.equals("*")) {
                text = text.substring(1).strip();
            }
            result.add(text);
        }
        return result;
    }

    /** How many lines of {@code markdown} open or close a code block. */
    private static long fences(String markdown) {
        return markdown.lines().filter(line -> line.startsWith("```")).count();
    }

    /** The part of {@code markdown} from {@code heading} up to the next heading of the same level. */
    private static String section(String markdown, String heading) {
        int start = markdown.indexOf("\n" + heading + "\n");
        assertTrue(start >= 0, "no section " + heading);
        int end = markdown.indexOf("\n## ", start + heading.length() + 1);
        return markdown.substring(start, end < 0 ? markdown.length() : end);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
