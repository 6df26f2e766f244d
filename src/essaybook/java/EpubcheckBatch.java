// Runs EPUBCheck on many EPUBs in one JVM: start-up is most of EPUBCheck's time per book.
// Arguments: [-u] epub1 json1 epub2 json2 ...  (-u also reports USAGE messages)
// EpubChecker.run returns its status instead of calling System.exit, so one JVM serves every book;
// the caller reads the JSON reports, not the exit status.
import com.adobe.epubcheck.tool.EpubChecker;
import java.util.ArrayList;
import java.util.List;

public class EpubcheckBatch {
    public static void main(String[] args) {
        int first = 0;
        boolean usage = false;
        if (args.length > 0 && args[0].equals("-u")) {
            usage = true;
            first = 1;
        }
        if ((args.length - first) % 2 != 0) {
            System.err.println("usage: EpubcheckBatch [-u] EPUB JSON [EPUB JSON ...]");
            System.exit(64);
        }
        for (int i = first; i < args.length; i += 2) {
            List<String> argv = new ArrayList<>(List.of(args[i], "-q", "--json", args[i + 1]));
            if (usage) {
                argv.add("-u");
            }
            try {
                new EpubChecker().run(argv.toArray(new String[0]));
            } catch (RuntimeException e) {
                // One broken book must not stop the rest; its missing report tells the caller.
                System.err.println(args[i] + ": " + e);
            }
        }
    }
}
