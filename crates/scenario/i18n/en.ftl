# kernsim messages: English. Keys are shared by every catalog; a test checks that none is missing.

alive-only-through-them = alive only through them:
anonymous-pipe = anonymous pipe
arguments-must-be-a-json-object = arguments must be a JSON object
auto-reset-event = auto-reset event
blocks-in = blocks in
blocks-the-thread-is-parked = blocks (the thread is parked)
blocks-the-thread-is-parked-until-the-call-can-c = blocks: the thread is parked until the call can complete
bound = bound
bytes = bytes
bytes-discarded = bytes discarded
bytes-queued = bytes queued
bytes-read = bytes read
bytes-skipped = bytes; skipped
call = call
check = (check)
checks-passed = checks passed
client-end = client end
closehandle = CloseHandle
closing-the-other-end-is-gone = closing (the other end is gone)
completed = completed
completes = completes
connected = connected
create = create
created-by = created by
cursor = cursor
deadlock-no-thread-can-run-and-no-timeout-is-pen = DEADLOCK: no thread can run and no timeout is pending
deleted = deleted
deleted-2 = (deleted)
did-you-mean = did you mean
disconnected = disconnected
does-not-return = does not return
duplicate = duplicate
duplicate-close-source = DUPLICATE_CLOSE_SOURCE
empty = (empty)
ends-with-code = ends with code
environment-of = environment of
error-at = error at
exited = exited
exited-code = exited, code
exited-signaled = exited (signaled)
exited-with = exited with
exits-with-code = exits with code
failed = FAILED:
failed-2 = failed
failed-3 = failed
file = file
files = files
handle = handle
handle-count = handle count
handle-s = handle(s)
handle-table-of = handle table of
handles = handles
held-by = held by:
image = image
inherit = inherit
inherit-2 = inherit
is-abandoned-its-thread-ended = is abandoned (its thread ended)
is-alive-usage-count = is alive: usage count
is-blocked-in = is blocked in
is-destroyed-usage-count-0 = is destroyed (usage count 0)
kernel-reference-s = kernel reference(s)
killed = killed
leaks = leaks
leaks-none-every-row-of-a-live-process-was-used = leaks: none (every row of a live process was used since it was made)
line = line
listening = listening
longer-than = longer than
mailslot-client-of = mailslot client of
mailslot-messages = mailslot: messages
manual-reset-event = manual-reset event
max-size = max size
name = name
name-2 = name
named-pipe = named pipe
namespace = namespace
never-used-since = , never used since
never-used-since-2 = never used since
new = new
no-process-named = no process named
no-such-object = no such object
no-such-object-destroyed-or-never-there = no such object (destroyed or never there)
no-such-object-nothing-keeps-it-alive = no such object: nothing keeps it alive
no-such-process = no such process:
no-such-process-2 = no such process
no-thread-is-blocked = no thread is blocked
nobody = nobody
nobody-holds-it = nobody holds it
none = none
none-2 = (none)
none-every-row-of-a-live-process-was-used-since = (none: every row of a live process was used since it was made)
not-blocked = not blocked
not-set = not set
not-signaled = not signaled
not-valid-utf-8-text-the-first-bad-byte-is-at-of = not valid UTF-8 text; the first bad byte is at offset
nothing-will-release-it-every-holder-is-in-a-pro = nothing will release it: every holder is in a process whose threads are all blocked
object = object
object-address = object address
of = of
ok = ok:
open = open
parent-pid = parent pid
parked-calls = parked calls
peer = peer
position = position
process = process
process-exit-closes-it = process exit closes it
process-snapshot-entries = process snapshot: entries
processes = processes
protect-from-close = protect from close
protected = {" "}(protected)
queued = queued
read-end = read end
read-mode = read mode
read-timeout = read timeout
registered = registered
released-by = released by
removed = removed
result = result:
running = running
saved = saved
server-end = server end
setup = setup
signaled = signaled
source = source:
started = started
starts = starts:
starts-running = starts running
state = state
step = step
stops-running = stops running
suspended = (suspended)
the-process-ended = the process ended
the-process-is-running = the process is running
the-process-is-running-its-reference-on-its-own = the process is running (its reference on its own object)
the-prompt-terminated-itself = the prompt terminated itself
the-system = the system
the-system-starts = the system starts
the-thread-ended = the thread ended
the-thread-is-running = the thread is running
the-thread-is-running-its-reference-on-its-own-o = the thread is running (its reference on its own object)
thread = thread
threads = threads
time = time
times-out-at = times out at
type = type
unknown-call = unknown call
unknown-command-try-help = unknown command (try help)
usage-advance-ms = usage: advance MS
usage-count = usage count
usage-kp-name-pid = usage: kp NAME|PID
usage-save-file = usage: save FILE
usage-start-i-name-args = usage: start [/i] NAME [ARGS]
usage-usage-name-pid-handle = usage: usage NAME|PID HANDLE
usage-why-name-pid-address = usage: why NAME|PID|ADDRESS
virtual-time-advances = virtual time advances
waits-for = waits for
write-end = write end
writes = writes
shell-help =
    commands:
      start [/i] NAME [ARGS]   CreateProcess NAME (/i: bInheritHandles = TRUE)
      lp                       list processes (a Toolhelp snapshot): pid, parent, threads, image, handles, state
      kp NAME|PID              kill: OpenProcess(PROCESS_TERMINATE), TerminateProcess, CloseHandle
      echo TEXT                print TEXT (%NAME% is expanded)
      set [NAME[=VALUE]]       show or change the prompt's environment (inherited by start)
      env                      show the prompt's environment block
      handles [NAME|PID]       a process's handle table (default: the prompt)
      object ADDRESS           an object's counts, state and who holds it
      usage NAME|PID HANDLE    the object a handle names, with its usage count
      names                    the named-object, pipe and mailslot namespaces
      waits                    parked calls and deadlocks
      why NAME|PID|ADDRESS     why a process's threads are blocked (who could release them), or
                               why an object is alive (every holder and where its handle came from)
      leaks                    handles of live processes never used since they were made
      advance MS               move the virtual clock
      call [@NAME|@PID] CALL [JSON-ARGS]   run any kernel call, e.g. call CreateEvent {"{"}"manual_reset": true{"}"}
      save FILE                save the session as a scenario file
      help, exit
checked-blocked-by = what could release { $name }
checked-holders = held by the { $n } rows listed
mismatch-holders = holders: expected { $expected }, found { $actual }
origin-created = from { $call } at { $at }
origin-opened = opened by { $call } at { $at }
origin-inherited = inherited from { $parent } by CreateProcess at { $at }
origin-duplicated = duplicated from { $source }'s handle { $handle } at { $at }
origin-duplicated-closed = duplicated from { $source }'s handle { $handle } at { $at }, which that call closed
origin-how-created = created
origin-how-opened = opened
origin-how-inherited = inherited
origin-how-duplicated = duplicated
origin-part-call = by { $call }
origin-part-from = from { $process }
origin-part-source = of handle { $handle }
origin-part-closed = source closed
origin-part-kept = source kept
release-write-mailslot = a message written to { $obj } through a client handle (CreateFile on its name)
release-write = a write to { $obj }, or every handle to it closed (a pipe read then fails with ERROR_BROKEN_PIPE)
release-read = a read from { $obj }, or every handle to it closed
release-signal = { $obj } signaled (SetEvent by a holder)
release-end = { $obj } ending (its threads, or TerminateProcess by a holder)
release-connect = a client opening the pipe of { $obj } by name (CreateFile), from any process
release-resume = ResumeThread on { $obj } by a holder
release-clock = the clock reaching { $ms } ms (the call times out)
release-listen = an instance of the pipe listening (ConnectNamedPipe by a holder of a server end); instances: { $states }
stuck-own = nothing will release it: only { $who }'s own handles could, and { $who } is waiting: it waits for itself (close them before waiting)
leaks-more = and { $more } more (show leaks lists them)
leaks-line = leaks: { $rows } handle(s) never used since they were made: { $list }; { $objects } object(s) alive only through them
shell-banner = kernsim shell: a command prompt on the virtual OS. Type help for commands.
a-destroyed-object = a destroyed object
list-and = {" "}and{" "}
list-or = {" "}or{" "}
wait-signaled = { $objects } to be signaled
wait-clock = the clock
wait-data = data in { $obj }
wait-read-down = { $obj } to be read down to its quota
wait-client = a client on { $obj }
wait-listening = a listening instance of { $pipe }
wait-peer-reads = the peer of { $obj } to read everything
wait-message = a message in { $obj }
wait-reply = a reply on { $obj }
label-handle = handle { $handle } in { $in }
label-binding = the object of { $name }
label-process = process { $name }
label-main-thread = the main thread of { $name }
label-thread = thread { $name }
label-address = object { $address }
checked-invariants = kernel invariants
checked-call-result = the call's result
checked-blocked = { $name } is blocked
checked-unblocked = { $name } is not blocked
checked-no-completion = no parked call completed
checked-completed = { $by }'s { $call } completed
checked-completed-any = { $by }'s call completed
checked-table = handle table of { $of }
checked-alive = alive = true
checked-not-alive = alive = false
checked-usage-count = usage count { $n }
checked-handle-count = handle count { $n }
checked-env = { $process }'s { $name } = { $value }
checked-time = time = { $ms } ms
mismatch-not-parked-call = expected the call to park, but it did not park
mismatch-parked-call = expected the call to return, but it parked
mismatch-no-result = the call has no result yet (it parked or did not return)
mismatch-ret = ret: expected { $expected }, found { $actual }
mismatch-last-error = last_error: expected { $expected }, found { $actual }
mismatch-output-missing = outputs.{ $field }: expected { $expected }, but the call did not produce it
mismatch-output = outputs.{ $field }: expected { $expected }, found { $actual }
mismatch-entry-field = outputs.entry: entry.{ $field }: expected { $expected }, found { $actual }
mismatch-entry-no-field = outputs.entry: entry has no field { $field }
mismatch-not-parked = { $name } is not parked in any call
mismatch-parked = { $name } is parked
mismatch-completions = { $count } call(s) completed
call-of-tid = { $call } of tid { $tid }
mismatch-no-completion-of = no call of { $by } completed (completed: { $completed })
mismatch-completed-with = { $call } completed, but { $list }
mismatch-process-gone = process { $name } no longer exists
mismatch-no-row = no row { $handle }
mismatch-row-inherit = row { $handle }: inherit { $actual }, expected { $expected }
mismatch-row-protect = row { $handle }: protect_from_close { $actual }, expected { $expected }
mismatch-row-kind = row { $handle }: a { $actual }, expected a { $expected }
mismatch-row-access = row { $handle }: access { $actual }, expected { $expected }
mismatch-row-origin = row { $handle }: { $actual }, expected { $expected }
mismatch-row-object = row { $handle }: object { $actual }, expected { $expected } ({ $address })
gone = gone
mismatch-row-present = row { $handle } is present
mismatch-unexpected-row = unexpected row { $handle } -> { $object }
mismatch-row-count = { $actual } rows, expected { $expected }
mismatch-gone = it no longer exists
mismatch-still-exists = it still exists
mismatch-usage-count = usage count is { $actual }, expected { $expected }
mismatch-handle-count = handle count is { $actual }, expected { $expected }
mismatch-kind = it is a { $actual }, expected a { $expected }
mismatch-signaled = signaled is { $actual }, expected { $expected }
not-applicable = not applicable
mismatch-does-not-exist = it does not exist
mismatch-process-object-gone = its object is gone
mismatch-process-object-exists = its object still exists
mismatch-not-running = it is not running
mismatch-running = it is running
mismatch-exit-code = exit code is { $actual }, expected { $expected }
mismatch-exit-code-gone = its object is gone, so its exit code cannot be read
mismatch-threads = { $actual } threads, expected { $expected }
mismatch-parent = parent pid is { $actual }, expected { $expected } ({ $expected_pid })
parent-unknown = unknown (the process is gone)
not-started = not started
mismatch-env = the value is { $actual }, expected { $expected }
mismatch-clock = the clock is at { $actual } ms
mismatch-no-deadlock = no deadlock: some thread can still run or a timeout is pending
mismatch-deadlock = deadlock: { $list }
mismatch-unbound = { $name } has no value yet (the call that binds it has not completed)
deadlock-thread = tid { $tid } in { $call } waits for { $reason }
env-of = { $process }'s { $name }
call-error-no-thread = no thread has id { $tid }
call-error-exited = thread { $tid } has exited
call-error-parked = thread { $tid } is parked in { $call } (call #{ $seq }) and cannot make another call
call-error-suspended = thread { $tid } is suspended
problem-file = file { $path } cannot be created: { $error }
problem-cannot-start = the system cannot start { $name }: { $error }
problem-no-live-thread = process { $name } (pid { $pid }) has no live thread: it has exited
problem-thread-gone = thread { $name } (tid { $tid }) is gone
since-step = {" "}since step { $step }
problem-parked = { $by } cannot call { $call }: it is parked in { $parked_in }{ $since } (call #{ $seq }); a parked thread makes no calls until its call completes
problem-cannot-call = { $by } cannot call { $call }: { $error }
problem-unbound = { $name } has no value yet: the call that binds it has not completed
problem-not-produced = bind { $output }: the call did not produce { $output } (it returned { $ret })
problem-returns-nothing = bind ret: the call returns nothing
problem-memory = the run uses { $in_use } MiB of memory, above its budget of { $limit } MiB
problem-not-a-number = bind { $output }: { $output } is not a number
table-thread = Thread { $tid } of { $owner }
why-inherit = inherit
ret-pseudo-process = -1 (the pseudo handle of GetCurrentProcess(): "the current process", not a row of the table)
ret-pseudo-thread = -2 (the pseudo handle of GetCurrentThread(): "the current thread", not a row of the table)
checked-kind = kind { $kind }
checked-signaled = signaled = { $signaled }
glossary =
    Terms of the lessons (chapter 8), with their Win32 names:
      kernel object       a kernel-managed object (process, thread, event, pipe end, mailslot, file)
      handle              HANDLE: a value that names a row of the caller's own handle table
      handle table        per process: rows of (value, object, access, inherit flag)
      usage count         rows in every table + 1 while a process or thread runs; the object dies at 0
      inherit flag        HANDLE_FLAG_INHERIT: the row is copied into children made with bInheritHandles = TRUE
      pseudo handle       GetCurrentProcess() = -1, GetCurrentThread() = -2: "myself", never a row
      duplicate           DuplicateHandle: a new row for the same object, in any process
      anonymous pipe      CreatePipe: a read end and a write end, one way
      named pipe          CreateNamedPipe / ConnectNamedPipe / CreateFile: server end and client end
      mailslot            CreateMailslot: one-way messages to a named slot
      signaled            an event set, a process or thread ended: what a wait waits for
      blocked             a call that cannot complete yet: its thread is parked
      deadlock            every thread blocked and no timeout pending
      environment block   NAME=VALUE strings, copied to a child at CreateProcess
      exit code           GetExitCodeProcess: STILL_ACTIVE (259) while running
      leak                a handle never used since it was made, kept open until its process ends
bytes-written-to = { $from }: { $bytes } bytes written, queued for reading at { $object }
cli-error = error
cli-error-at = { $file }:{ $line }: step { $step }
check-at = step { $step } (line { $line })
check-counts = { $steps } steps, { $checks } checks
check-total = { $passed } passed, { $failed } failed
raw-text = { $text }
load-at-path = at { $path }:{" "}
load-cannot-read = cannot read the file: { $error }
load-not-utf8 = the file is not UTF-8 text: byte { $at } ({ $byte }) is not valid UTF-8; scenario files are UTF-8 JSON
serde-text = expected a string, or an object {"{"}"en": ..., "ko": ...{"}"}
serde-one-or-many = expected a value or a list of values of the documented shape
serde-not-whole = { $value } is not a whole number from 0 to { $limit }
serde-missing-field = missing field `{ $field }`
serde-duplicate-field = duplicate field `{ $field }`
serde-unknown-field = unknown field `{ $name }`, expected one of { $known }
serde-unknown-variant = unknown variant `{ $name }`, expected one of { $known }
serde-invalid-type = invalid type: { $found }, expected { $expected }
serde-syntax = { $text }
load-format-version = format_version { $version } is not supported; this kernsim reads version { $supported }
load-file-path = file path { $path } must be absolute, like C:\data\a.txt
load-file-create = file { $path } cannot be created: { $error } (a path of a file, like C:\data\a.txt, not of a directory)
load-constant-name = { $name } is a Win32 constant; choose another name
load-no-names-yet = known names: none yet
load-known-names = known names: { $names }
load-did-you-mean = did you mean { $names }?
load-no-actor = no process or thread is named { $name } at this point ({ $hint }); processes are named in `processes`, by `start`, or by binding `process_id`/`thread_id`
load-belongs-to = `{ $field }` belongs to a `{ $owner }` step
load-unknown-call = unknown call { $name }{ $hint }
load-needs-by = a `call` step needs `by`: which process or thread calls { $name }
load-argument-twice = `{ $key }` gives the argument `{ $arg }` a second time
load-hint-did-you-mean = ; did you mean { $names }?
load-expected-strings = expected a list of strings
load-not-an-output = { $key } is not an output; expected one of { $names }
load-data-budget = the data arguments of this scenario total { $total } bytes here, above the budget of { $budget } bytes (64 MiB)
load-takes-no-arguments = it takes none
load-its-arguments = its arguments are: { $args }
load-unknown-argument = unknown argument `{ $key }` of { $call }; { $list }
load-unknown-argument-near = unknown argument `{ $key }` of { $call }; did you mean { $near }? ({ $list })
load-expected-number = expected a number or a constant name, found { $found }
load-handle-needs-in = `handle` needs `in`: the process whose table holds it
load-in-needs-handle = `in` goes with `handle`
load-bad-last-error = last_error: { $value } is not a Win32 error name or number
load-result-check-needs-call = `{ $field }` checks a call's result and belongs to a `call` step
load-not-an-output-near = { $key } is not an output; did you mean { $names }?
load-not-an-output-of = { $call } has no output `{ $key }`; its outputs are: { $names }
load-unknown-name = { $name } is neither a number, a Win32 constant nor a name bound by an earlier step{ $bound }{ $hint }
load-unclosed-insertion = unclosed ${"{"} in { $text }
load-not-hex = { $text } is not a hex number
load-not-32-bits = { $n } does not fit in 32 bits
load-empty-name = a name must not be empty
load-object-fields = object fields (`handle`, `in`, `ref`, ...) belong to a `show` step or an `expect.object`
load-origin-part = `{ $field }` does not describe a row that was { $how }
load-empty-step = an empty step: expected one of `call`, `start`, `advance`, `show`, `file`, `note`, `expect`
load-start-needs-image = a `start` step needs `image`
load-file-needs-content = a `file` step needs `content`
load-arguments-do-not-fit = the arguments do not fit the call
load-bound-in-structure = a bound name cannot be used inside a structure argument; write the value
load-not-32-bit-integer = { $n } is not a 32-bit integer
load-name-one-object = name exactly one object: `handle` (with `in`), `ref`, `process`, `thread` or `address`
load-expected-string = expected a string
load-expected-entry = expected an object of process entry fields
load-bad-data = bad expected data: { $error }
load-two-kinds = a step does one thing, but this one has both `{ $a }` and `{ $b }`
serde-eof-list = EOF while parsing a list
serde-eof-object = EOF while parsing an object
serde-eof-string = EOF while parsing a string
serde-eof-value = EOF while parsing a value
serde-expected-value = expected value
serde-trailing-comma = trailing comma
serde-key-string = key must be a string
serde-trailing-characters = trailing characters
serde-expected-token = expected { $tokens }
cli-help-about = A deterministic simulator of Windows-style kernel objects, handle tables and IPC
cli-help-run = Narrate a scenario: each call, its result, the notes and the handle tables.
cli-help-run-file = The scenario file.
cli-help-run-lang = Language of the narration.
cli-help-run-format = `text` for people, `json` for one JSON object per line, `html` for a lesson page, `dot` for the Graphviz diagram of one step (`--at`).
cli-help-run-no_leaks = Leave out the leak report at the end (handles never used since they were made).
cli-help-run-diff = After each step, what it changed: rows added and removed, counts, pipe states.
cli-help-run-at = The step `--format dot` draws (0: the setup; default: the last step).
cli-help-check = Run scenario files or folders of them as tests: a line each and a summary.
cli-help-check-paths = Files or folders (searched for *.json).
cli-help-check-paranoid = Recompute every invariant after every step (default: what each step touched, and everything after the last step).
cli-help-check-lang = Language of the failure messages.
cli-help-schema = Print the JSON Schema of scenario files.
cli-help-schema-output = Print instead the schema of one line of a JSON trace (`run --format json`).
cli-help-glossary = Print the terms of the lessons with their Win32 names (`--lang ko`: the Korean terms of the source note).
cli-help-glossary-lang = Language of the glossary.
cli-help-shell = The book's command prompt (start, lp, kp, ...) running on the virtual OS.
cli-help-shell-lang = Language of the output.
cli-help-shell-save = Save the session as a scenario file when the shell ends.
cli-help-template =
    {"{"}about-with-newline{"}"}
    {"{"}usage-heading{"}"} {"{"}usage{"}"}

    {"{"}all-args{"}"}{"{"}after-help{"}"}
cli-help-help = Print help
cli-help-arguments = Arguments
cli-help-options = Options
cli-help-default = {" "}[default: { $value }]
cli-help-values = {" "}[possible values: { $values }]
cli-memory-variable = KERNSIM_MEMORY_MB={ $value }: expected a whole number of MiB (0: no budget)
mutex-free = mutex, free (signaled)
mutex-owned = mutex, owned by { $thread } { $times } time(s) (signaled only to its owner)
mutex-abandoned = , abandoned (its owner ended without releasing it: the next wait returns WAIT_ABANDONED)
semaphore-count = semaphore, count { $count } of at most { $maximum }
release-owner = ReleaseMutex on { $obj } by its owner, as many times as it acquired it, or the owner ending (the mutex is then abandoned)
release-post = ReleaseSemaphore on { $obj } by a holder
holder-mutex-owner = owns it { $times } time(s); only this thread can release it
event-mutex-abandoned = { $obj } abandoned: its owner { $thread } ended holding it (the next acquirer gets WAIT_ABANDONED)
event-access-violation = { $thread } writes through a NULL buffer in { $call }: nothing handles the access violation, so { $proc } ends with STATUS_ACCESS_VIOLATION (0xC0000005)

# Lesson views: the diff of a step (run --diff, the page) and the page's own words.
diff-row-added = + { $proc }: handle { $handle } -> { $obj }
diff-row-removed = - { $proc }: handle { $handle } -> { $obj }
diff-flags = ~ { $proc }: handle { $handle } now inherit { $inherit }, protect from close { $protect }
diff-count = ~ { $obj }: usage count { $before } -> { $after } ({ $delta })
diff-pipe-state = ~ { $obj }: now { $state }
diff-none = (no row, count or pipe state changed)
page-prev = previous
page-next = next
page-closing = closing
page-blocked = This call blocks: its thread waits. Why, and who can release it:
page-pipe-state = Named-pipe instance state of the server end
diff = diff:
cli-no-such-step = there is no step { $at }: the scenario's steps are 0 (setup) to { $last }
step-prompt = [step { $at } of { $last }] Enter: next, b: back, g N: go to step N, s WHAT: show, q: quit >
step-at-end = (this is the last step)
step-at-start = (this is the setup, the first step)
step-help = Enter or n: next step; b: back; g N: step N (0 is the setup); q: quit; s WHAT: show at this step: s handles [PROC...], s env [PROC...], s object X, s pipe X, s why X (a process: what it waits for; a handle name: what keeps its object alive), s processes, s namespace, s waits, s leaks, s files
cli-help-run-step = One step at a time: Enter next, `b` back, `g N` go to step N, `s WHAT` show, `q`.

# kernsim quiz
quiz-header = kernsim quiz: seed { $seed }, topic { $topic } (the same seed gives the same problem: kernsim quiz --topic { $topic } --seed { $seed })
quiz-processes = Processes at the start: { $names }. The calls, in order:
quiz-ret = Step { $step } ({ $call }): what does it return, and which last error does it set, if it sets one? (for example: TRUE; FALSE 6; 4; 0 ERROR_ENVVAR_NOT_FOUND)
quiz-env-text = Step { $step }: what text does the child read? (in quotes; "" when empty)
quiz-blocks = Does step { $step } block, its thread waiting? (yes or no)
quiz-table = After step { $step }, which handle values are in the table of { $proc }? (the numbers, or none)
quiz-usage = After step { $step }, what is the usage count of the object behind handle { $handle } of { $proc }?
quiz-inherit = After step { $step }, is handle { $handle } of { $proc } inheritable? (yes or no)
quiz-reverse = Which call was step { $step }? (a letter)
quiz-final-tables = The handle tables after step { $step }:
quiz-answer = answer:
quiz-right = right.
quiz-wrong = wrong: the answer is { $answer }.
quiz-score = score: { $right } of { $of }
quiz-none = none
quiz-yes = yes
quiz-no = no
quiz-no-topic = there is no quiz topic { $topic }; the topics are: { $topics }, all
cli-help-quiz = A seeded problem generated from the model: the calls, then questions on what they do.
cli-help-quiz-topic = handles, inherit, duplicate, pipes, named-pipes, env, processes, or all.
cli-help-quiz-seed = The problem's seed (printed first, so a problem can be shared).
cli-help-quiz-steps = About how many calls the problem has.
cli-help-quiz-lang = Language of the problem and the explanations.
cli-help-quiz-solve = Print the answers with their explanations instead of asking.
cli-help-quiz-final_only = Ask only about the state after the last call.
cli-help-quiz-reverse = Show the final tables and ask which call produced them.
quiz-bytes-read = Step { $step }: how many bytes does the read take out of the pipe?
cli-help-completions = Print a shell completion script (bash, zsh, fish, elvish, powershell).
cli-help-completions-shell = The shell.
cli-help-man = Print the manual page (roff), generated from these definitions.
cli-example-run = Examples:
    kernsim run scenarios/s1_duplicate_process_example.json --lang ko
    kernsim run scenarios/s2_named_pipe_procedure.json --format html > lesson.html
    kernsim run scenarios/s2_anonymous_pipe_child.json --step --diff
cli-example-check = Example:
    kernsim check scenarios/
cli-example-quiz = Examples:
    kernsim quiz --topic inherit --seed 7
    kernsim quiz --topic pipes --seed 3 --lang ko -c
cli-example-schema = Example:
    kernsim schema > kernsim.schema.json
    kernsim schema --output > kernsim-trace.schema.json
cli-example-glossary = Example:
    kernsim glossary --lang ko
cli-example-shell = Example:
    kernsim shell --lang ko --save session.json
cli-example-completions = Example:
    kernsim completions bash > /etc/bash_completion.d/kernsim
cli-example-man = Example:
    kernsim man > kernsim.1 && man ./kernsim.1
load-bound-so-far = {" "}(names bound so far: { $names })
load-none-bound-yet = {" "}(no name is bound yet)
page-more-rows = ... and { $n } more rows, not drawn

# Argument names in call lines (`CloseHandle(handle: ...)`): `arg-<name>`, one per argument
# of every call and per field of an argument written as an object (a test checks each).
arg-application_name = application_name
arg-attribute = attribute
arg-attribute_count = attribute_count
arg-attribute_list = attribute_list
arg-buffer_size = buffer_size
arg-bytes_to_read = bytes_to_read
arg-collect_data_timeout = collect_data_timeout
arg-command_line = command_line
arg-creation_disposition = creation_disposition
arg-creation_flags = creation_flags
arg-current_directory = current_directory
arg-data = data
arg-default_timeout = default_timeout
arg-desired_access = desired_access
arg-environment = environment
arg-error = error
arg-event = event
arg-event_attributes = event_attributes
arg-exit_code = exit_code
arg-file = file
arg-file_name = file_name
arg-flags = flags
arg-flags_and_attributes = flags_and_attributes
arg-handle = handle
arg-handle_list = handle_list
arg-handles = handles
arg-in_buffer_size = in_buffer_size
arg-inherit_handle = inherit_handle
arg-inherit_handles = inherit_handles
arg-initial_count = initial_count
arg-initial_owner = initial_owner
arg-initial_state = initial_state
arg-mailslot = mailslot
arg-manual_reset = manual_reset
arg-mask = mask
arg-max_collection_count = max_collection_count
arg-max_instances = max_instances
arg-max_message_size = max_message_size
arg-maximum_count = maximum_count
arg-milliseconds = milliseconds
arg-mode = mode
arg-mutex = mutex
arg-mutex_attributes = mutex_attributes
arg-name = name
arg-named_pipe = named_pipe
arg-null_buffer = null_buffer
arg-null_target_handle = null_target_handle
arg-open_mode = open_mode
arg-options = options
arg-out_buffer_size = out_buffer_size
arg-pipe_attributes = pipe_attributes
arg-pipe_mode = pipe_mode
arg-process = process
arg-process_attributes = process_attributes
arg-process_id = process_id
arg-query_remote_info = query_remote_info
arg-read_timeout = read_timeout
arg-release_count = release_count
arg-semaphore = semaphore
arg-semaphore_attributes = semaphore_attributes
arg-security_attributes = security_attributes
arg-share_mode = share_mode
arg-size = size
arg-snapshot = snapshot
arg-source_handle = source_handle
arg-source_process_handle = source_process_handle
arg-src = src
arg-std_error = std_error
arg-std_handle = std_handle
arg-std_input = std_input
arg-std_output = std_output
arg-target_process_handle = target_process_handle
arg-thread = thread
arg-thread_attributes = thread_attributes
arg-timeout = timeout
arg-value = value
arg-wait_all = wait_all
arg-fill = fill
arg-len = len
