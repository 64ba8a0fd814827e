#!/usr/bin/env python3
# Planted semantic bugs against the property suite alone (issue 17's check, README "Planted
# bugs"): each bug in BUGS.json is one exact edit of a kernel source file; the tool applies
# it in a scratch git worktree, runs `cargo test --test it properties` at the default case
# count, and for a caught bug checks that each saved replay fails under `kernsim check` with
# the bug and passes once the bug is removed. Prints one line per bug and a summary.
# Usage: tools/planted-bugs/run.py [BUGS.json] [--only NAME ...]
import json, os, shutil, subprocess, sys, tempfile

here = os.path.dirname(os.path.abspath(__file__))
repo = os.path.dirname(os.path.dirname(here))
args = sys.argv[1:]
only = []
if '--only' in args:
    i = args.index('--only')
    only, args = args[i + 1:], args[:i]
bugs = json.load(open(args[0] if args else os.path.join(here, 'bugs.json')))
if only:
    bugs = [b for b in bugs if b['name'] in only]


def sh(cmd, cwd):
    return subprocess.run(cmd, shell=True, cwd=cwd, capture_output=True, text=True)


tree = tempfile.mkdtemp(prefix='kernsim-planted-')
os.rmdir(tree)
if sh(f'git worktree add -q --detach {tree} HEAD', repo).returncode != 0:
    sys.exit('cannot make a worktree of HEAD')
# The sibling `shared` directory the tests read is found beside the worktree's parent.
shared = os.path.join(os.path.dirname(repo), 'shared')
link = os.path.join(os.path.dirname(tree), 'shared')
if os.path.isdir(shared) and not os.path.exists(link):
    os.symlink(shared, link)
caught = missed = 0
try:
    for b in bugs:
        path = os.path.join(tree, 'crates/kernel/src', b['file'])
        src = open(path).read()
        if src.count(b['old']) != 1:
            print(f"{b['name']}: the site is not unique ({src.count(b['old'])} matches)", flush=True)
            continue
        replays = os.path.join(tree, 'target/kernsim-replays')
        shutil.rmtree(replays, ignore_errors=True)
        open(path, 'w').write(src.replace(b['old'], b['new']))
        r = sh('cargo test -q --test it properties 2>&1', tree)
        failed = [l.split()[1] for l in r.stdout.splitlines() if l.startswith('---- ')]
        if r.returncode == 0:
            missed += 1
            open(path, 'w').write(src)
            print(f"{b['name']}: MISSED", flush=True)
            continue
        if not failed:
            open(path, 'w').write(src)
            print(f"{b['name']}: did not build or the tests did not run\n{r.stdout[-2000:]}", flush=True)
            continue
        caught += 1
        saved = sorted(f for f in os.listdir(replays) if f.endswith('.json') and not f.endswith('.case.json')) \
            if os.path.isdir(replays) else []
        keep = tempfile.mkdtemp(prefix=f"{b['name']}-")
        for f in saved:
            shutil.copy(os.path.join(replays, f), keep)
        with_bug = {f: sh(f'cargo run -q -- check {keep}/{f}', tree).returncode for f in saved}
        open(path, 'w').write(src)
        fixed = {f: sh(f'cargo run -q -- check {keep}/{f}', tree).returncode for f in saved}
        verdicts = ', '.join(f"{f}: check {'fails' if with_bug[f] else 'PASSES'} with the bug, "
                             f"{'passes' if fixed[f] == 0 else f'EXITS {fixed[f]}'} without" for f in saved)
        print(f"{b['name']}: caught by {', '.join(failed)}; {verdicts or 'NO REPLAY SAVED'}", flush=True)
finally:
    sh(f'git worktree remove --force {tree}', repo)
print(f'{caught} caught, {missed} missed, of {len(bugs)}')
