# kernsim messages: Korean. Keys are shared by every catalog; a test checks that none is missing.

alive-only-through-them = 이 핸들들 때문에만 살아 있는 오브젝트:
anonymous-pipe = 익명 파이프
arguments-must-be-a-json-object = 인자는 JSON 오브젝트여야 함
auto-reset-event = 자동 리셋 이벤트
blocks-in = 블로킹(대기):
blocks-the-thread-is-parked = 블로킹 (스레드가 대기)
blocks-the-thread-is-parked-until-the-call-can-c = 블로킹: 호출이 끝날 수 있을 때까지 스레드가 대기
bound = 바인딩
bytes = 바이트
bytes-discarded = 바이트 버려짐
bytes-queued = 바이트 기록(대기열)
bytes-read = 바이트 읽음
bytes-skipped = 바이트를 넘어 건너뜀
call = 호출
check = (확인)
checks-passed = 개 확인 통과
client-end = 클라이언트 끝
closehandle = CloseHandle
closing-the-other-end-is-gone = 닫히는 중(상대 끝이 닫힘)
completed = 완료
completes = 완료
connected = 연결됨(connected)
create = 생성
created-by = 생성한 쪽:
cursor = 커서
deadlock-no-thread-can-run-and-no-timeout-is-pen = 교착 상태: 실행할 수 있는 스레드도, 남은 시간 제한도 없음
deleted = 삭제
deleted-2 = (삭제됨)
did-you-mean = 혹시:
disconnected = 연결 끊김(disconnected)
does-not-return = 반환하지 않음
duplicate = 복제
duplicate-close-source = DUPLICATE_CLOSE_SOURCE
empty = (비어 있음)
ends-with-code = 스레드 종료, 종료 코드
environment-of = 환경 변수:
error-at = 오류:
exited = 종료
exited-code = 종료, 코드
exited-signaled = 종료됨 (신호 상태)
exited-with = 종료 코드
exits-with-code = 종료, 종료 코드
failed = 실패:
failed-2 = 개 실패
failed-3 = 실패
file = 파일
files = 파일
handle = 핸들
handle-count = 핸들 수
handle-s = 핸들
handle-table-of = 핸들 테이블:
handles = 핸들 수
held-by = 붙잡고 있는 쪽:
image = 이미지
inherit = 상속여부
inherit-2 = 상속여부
is-abandoned-its-thread-ended = 포기됨 (스레드 종료)
is-alive-usage-count = 이 살아 있는 이유: Usage Count
is-blocked-in = 블로킹됨:
is-destroyed-usage-count-0 = 소멸 (Usage Count 0)
kernel-reference-s = 커널 참조
killed = 종료함:
leaks = 누수
leaks-none-every-row-of-a-live-process-was-used = 누수: 없음 (살아 있는 프로세스의 모든 핸들이 만들어진 뒤 쓰였다)
line = 줄
listening = 연결 대기(listening)
longer-than = 길이가
mailslot-client-of = 메일슬롯 클라이언트, 대상:
mailslot-messages = 메일슬롯: 메시지
manual-reset-event = 수동 리셋 이벤트
max-size = 최대 크기
name = 이름 등록
name-2 = 이름
named-pipe = 이름 있는 파이프
namespace = 이름 공간
never-used-since = , 그 뒤로 쓰인 적 없음
never-used-since-2 = 그 뒤로 쓰인 적 없음
new = 새 오브젝트
no-process-named = 그런 이름의 프로세스가 없음:
no-such-object = 그런 오브젝트가 없음
no-such-object-destroyed-or-never-there = 오브젝트 없음 (소멸했거나 없음)
no-such-object-nothing-keeps-it-alive = 오브젝트 없음: 아무도 붙잡고 있지 않음
no-such-process = 그런 프로세스가 없음:
no-such-process-2 = 그런 프로세스가 없음
no-thread-is-blocked = 블로킹된 스레드 없음
nobody = 없음
nobody-holds-it = 붙잡고 있는 쪽 없음
none = 없음
none-2 = (없음)
none-every-row-of-a-live-process-was-used-since = (없음: 살아 있는 프로세스의 모든 핸들이 만들어진 뒤 쓰였다)
not-blocked = 블로킹되지 않음
not-set = 설정되지 않음
not-signaled = 비신호 상태
not-valid-utf-8-text-the-first-bad-byte-is-at-of = UTF-8 텍스트가 아님. 첫 잘못된 바이트 위치:
nothing-will-release-it-every-holder-is-in-a-pro = 아무것도 풀어 주지 못한다: 붙잡고 있는 쪽의 스레드가 모두 블로킹되어 있다
object = 커널 오브젝트
object-address = 주소(커널 오브젝트 할당 주소)
of = 소속:
ok = 확인:
open = 열기
parent-pid = 부모 pid
parked-calls = 대기 중인 호출
peer = 상대 끝
position = 위치
process = 프로세스
process-exit-closes-it = 프로세스 종료로 정리
process-snapshot-entries = 프로세스 스냅샷: 항목
processes = 프로세스 목록
protect-from-close = 닫기 보호
protected = {" "}(닫기 보호)
queued = 대기열
read-end = 읽기 끝
read-mode = 읽기 모드
read-timeout = 읽기 시간 제한
registered = 등록
released-by = 풀려나는 조건:
removed = 삭제
result = 결과:
running = 실행 중
saved = 저장함:
server-end = 서버 끝
setup = 준비
signaled = 신호 상태
source = 출처:
started = 시작:
starts = 시작:
starts-running = 실행 시작
state = 상태
step = 단계
stops-running = 실행 끝
suspended = (일시 중단됨)
the-process-ended = 프로세스가 끝남
the-process-is-running = 프로세스가 실행 중
the-process-is-running-its-reference-on-its-own = 프로세스가 실행 중 (자기 오브젝트에 대한 참조)
the-prompt-terminated-itself = 프롬프트가 스스로 종료됨
the-system = 시스템
the-system-starts = 시스템이 시작:
the-thread-ended = 스레드가 끝남
the-thread-is-running = 스레드가 실행 중
the-thread-is-running-its-reference-on-its-own-o = 스레드가 실행 중 (자기 오브젝트에 대한 참조)
thread = 스레드
threads = 스레드 수
time = 시간
times-out-at = 시간 초과:
type = 타입
unknown-call = 알 수 없는 호출
unknown-command-try-help = 알 수 없는 명령 (help 참고)
usage-advance-ms = 사용법: advance MS
usage-count = Usage Count
usage-kp-name-pid = 사용법: kp 이름|PID
usage-save-file = 사용법: save 파일
usage-start-i-name-args = 사용법: start [/i] 이름 [인자]
usage-usage-name-pid-handle = 사용법: usage 이름|PID 핸들
usage-why-name-pid-address = 사용법: why 이름|PID|주소
virtual-time-advances = 가상 시간 진행
waits-for = 대기 대상:
write-end = 쓰기 끝
writes = 건
shell-help =
    명령:
      start [/i] 이름 [인자]   프로세스 생성 (/i: bInheritHandles = TRUE)
      lp                       프로세스 목록 (Toolhelp 스냅샷): pid, 부모, 스레드 수, 이미지, 핸들 수, 상태
      kp 이름|PID              프로세스 종료: OpenProcess(PROCESS_TERMINATE), TerminateProcess, CloseHandle
      echo 텍스트              텍스트 출력 (%NAME%는 치환)
      set [이름[=값]]          프롬프트의 환경 변수 보기/바꾸기 (start로 상속됨)
      env                      프롬프트의 환경 블록 보기
      handles [이름|PID]       프로세스의 핸들 테이블 (기본: 프롬프트)
      object 주소              오브젝트의 Usage Count, 상태, 그리고 누가 핸들을 가졌는지
      usage 이름|PID 핸들      핸들이 가리키는 오브젝트와 그 Usage Count
      names                    이름 공간 (이름 있는 오브젝트, 파이프, 메일슬롯)
      waits                    대기 중인 호출과 교착 상태
      why 이름|PID|주소        프로세스의 스레드가 왜 블로킹되었는지 (누가 풀어 줄 수 있는지), 또는
                               오브젝트가 왜 살아 있는지 (붙잡고 있는 모든 핸들과 그 출처)
      leaks                    살아 있는 프로세스에서 만들어진 뒤 한 번도 쓰이지 않은 핸들
      advance MS               가상 시간 진행
      call [@이름|@PID] 호출 [JSON 인자]   아무 커널 호출이나 실행, 예: call CreateEvent {"{"}"manual_reset": true{"}"}
      save 파일                세션을 시나리오 파일로 저장
      help, exit
checked-blocked-by = { $name }을(를) 풀어 줄 수 있는 핸들
checked-holders = 나열한 행 { $n }개가 붙잡고 있음
mismatch-holders = 붙잡고 있는 핸들: 예상 { $expected }, 실제 { $actual }
origin-created = { $at }의 { $call }로 생성
origin-opened = { $at }의 { $call }로 열림
origin-inherited = { $at }의 CreateProcess로 { $parent }에게서 상속
origin-duplicated = { $at }에 { $source }의 핸들 { $handle }에서 복제
origin-duplicated-closed = { $at }에 { $source }의 핸들 { $handle }에서 복제 (원본은 그 호출이 닫음)
origin-how-created = 생성
origin-how-opened = 열기
origin-how-inherited = 상속
origin-how-duplicated = 복제
origin-part-call = 호출 { $call }
origin-part-from = 출처 프로세스 { $process }
origin-part-source = 원본 핸들 { $handle }
origin-part-closed = 원본 닫힘
origin-part-kept = 원본 유지
release-write-mailslot = 클라이언트 핸들(이름으로 CreateFile)을 통해 { $obj }에 쓴 메시지
release-write = { $obj }에 쓰기, 또는 그 핸들이 모두 닫힘 (그러면 파이프 읽기는 ERROR_BROKEN_PIPE로 실패)
release-read = { $obj }에서 읽기, 또는 그 핸들이 모두 닫힘
release-signal = { $obj }가 신호 상태가 됨 (핸들을 가진 쪽의 SetEvent)
release-end = { $obj }의 종료 (그 스레드들, 또는 핸들을 가진 쪽의 TerminateProcess)
release-connect = 어느 프로세스든 { $obj }의 파이프를 이름으로 여는 클라이언트 (CreateFile)
release-resume = 핸들을 가진 쪽의 { $obj }에 대한 ResumeThread
release-clock = 가상 시간 { $ms } ms 도달 (시간 초과)
release-listen = 파이프 인스턴스의 연결 대기 (서버 끝을 가진 쪽의 ConnectNamedPipe); 인스턴스: { $states }
stuck-own = 아무것도 풀어 주지 못한다: { $who } 자신의 핸들만 풀어 줄 수 있는데 { $who }가 기다리고 있다: 자기 자신을 기다린다 (기다리기 전에 그 핸들을 닫아야 한다)
leaks-more = 외 { $more }개 (show leaks로 모두 볼 수 있다)
leaks-line = 누수: 만들어진 뒤 한 번도 쓰이지 않은 핸들 { $rows }개: { $list }; 이 핸들들 때문에만 살아 있는 오브젝트 { $objects }개
shell-banner = kernsim 셸: 가상 OS 위의 명령 프롬프트. help로 명령을 볼 수 있다.
a-destroyed-object = 소멸한 오브젝트
list-and = {" "}그리고{" "}
list-or = {" "}또는{" "}
wait-signaled = { $objects }의 신호 상태(signaled)
wait-clock = 가상 시간
wait-data = { $obj }에 들어올 데이터
wait-read-down = { $obj }의 버퍼가 할당량 아래로 읽혀 비워지기
wait-client = { $obj }에 연결할 클라이언트
wait-listening = { $pipe }의 연결 대기(listening) 인스턴스
wait-peer-reads = { $obj }의 상대 끝이 모두 읽기
wait-message = { $obj }에 들어올 메시지
wait-reply = { $obj }로 올 응답
label-handle = { $in }의 핸들 { $handle }
label-binding = { $name }의 오브젝트
label-process = 프로세스 { $name }
label-main-thread = { $name }의 주 스레드
label-thread = 스레드 { $name }
label-address = 오브젝트 { $address }
checked-invariants = 커널 불변 조건
checked-call-result = 호출 결과
checked-blocked = { $name }: 블로킹됨
checked-unblocked = { $name }: 블로킹되지 않음
checked-no-completion = 완료된 대기 호출 없음
checked-completed = { $by }의 { $call } 완료
checked-completed-any = { $by }의 호출 완료
checked-table = { $of }의 핸들 테이블
checked-alive = 살아 있음
checked-not-alive = 소멸함
checked-usage-count = Usage Count { $n }
checked-handle-count = 핸들 수 { $n }
checked-env = { $process }의 { $name } = { $value }
checked-time = 가상 시간 = { $ms } ms
mismatch-not-parked-call = 호출이 대기(블로킹)해야 하는데 대기하지 않았다
mismatch-parked-call = 호출이 반환해야 하는데 대기(블로킹)했다
mismatch-no-result = 호출 결과가 아직 없다 (대기 중이거나 반환하지 않았다)
mismatch-ret = 반환값: 예상 { $expected }, 실제 { $actual }
mismatch-last-error = GetLastError: 예상 { $expected }, 실제 { $actual }
mismatch-output-missing = outputs.{ $field }: 예상 { $expected }, 그러나 호출이 이 값을 내놓지 않았다
mismatch-output = outputs.{ $field }: 예상 { $expected }, 실제 { $actual }
mismatch-entry-field = outputs.entry: entry.{ $field }: 예상 { $expected }, 실제 { $actual }
mismatch-entry-no-field = outputs.entry: entry에 { $field } 필드가 없다
mismatch-not-parked = { $name }: 대기 중인 호출이 없다 (예상: 블로킹됨)
mismatch-parked = { $name }: 호출에서 대기 중이다 (예상: 블로킹되지 않음)
mismatch-completions = 대기 호출 { $count }개가 완료됐다 (예상: 없음)
call-of-tid = tid { $tid }의 { $call }
mismatch-no-completion-of = { $by }의 호출이 완료되지 않았다 (완료된 것: { $completed })
mismatch-completed-with = { $call } 완료, 그러나 { $list }
mismatch-process-gone = 프로세스 { $name }이(가) 더는 없다
mismatch-no-row = 핸들 { $handle } 행이 없다
mismatch-row-inherit = 핸들 { $handle } 행: 상속여부 { $actual }, 예상 { $expected }
mismatch-row-protect = 핸들 { $handle } 행: 닫기 보호 { $actual }, 예상 { $expected }
mismatch-row-kind = 핸들 { $handle } 행: 종류 { $actual }, 예상 { $expected }
mismatch-row-access = 핸들 { $handle } 행: 접근 권한 { $actual }, 예상 { $expected }
mismatch-row-origin = 핸들 { $handle } 행: 출처 { $actual }, 예상 { $expected }
mismatch-row-object = 핸들 { $handle } 행: 오브젝트 { $actual }, 예상 { $expected } ({ $address })
gone = 소멸함
mismatch-row-present = 핸들 { $handle } 행이 있다 (예상: 없음)
mismatch-unexpected-row = 예상하지 않은 행 { $handle } -> { $object }
mismatch-row-count = 행 { $actual }개, 예상 { $expected }개
mismatch-gone = 더는 존재하지 않는다 (예상: 살아 있음)
mismatch-still-exists = 아직 존재한다 (예상: 소멸함)
mismatch-usage-count = Usage Count: 실제 { $actual }, 예상 { $expected }
mismatch-handle-count = 핸들 수: 실제 { $actual }, 예상 { $expected }
mismatch-kind = 종류: 실제 { $actual }, 예상 { $expected }
mismatch-signaled = 신호 상태(signaled): 실제 { $actual }, 예상 { $expected }
not-applicable = 해당 없음
mismatch-does-not-exist = 존재하지 않는다
mismatch-process-object-gone = 프로세스 오브젝트가 소멸했다 (예상: 살아 있음)
mismatch-process-object-exists = 프로세스 오브젝트가 아직 있다 (예상: 소멸함)
mismatch-not-running = 실행 중이 아니다 (예상: 실행 중)
mismatch-running = 실행 중이다 (예상: 종료됨)
mismatch-exit-code = 종료 코드: 실제 { $actual }, 예상 { $expected }
mismatch-exit-code-gone = 오브젝트가 소멸해 종료 코드를 읽을 수 없다
mismatch-threads = 스레드 { $actual }개, 예상 { $expected }개
mismatch-parent = 부모 pid: 실제 { $actual }, 예상 { $expected } ({ $expected_pid })
parent-unknown = 알 수 없음 (프로세스가 없음)
not-started = 시작 안 됨
mismatch-env = 값: 실제 { $actual }, 예상 { $expected }
mismatch-clock = 가상 시간이 { $actual } ms이다
mismatch-no-deadlock = 교착 상태 아님: 실행할 수 있는 스레드나 남은 시간 제한이 있다
mismatch-deadlock = 교착 상태: { $list }
mismatch-unbound = { $name }에 아직 값이 없다 (값을 바인딩하는 호출이 끝나지 않았다)
deadlock-thread = tid { $tid }: { $call }에서 대기, 대상: { $reason }
env-of = { $process }의 { $name }
call-error-no-thread = id가 { $tid }인 스레드가 없다
call-error-exited = 스레드 { $tid }는 종료했다
call-error-parked = 스레드 { $tid }는 { $call }(호출 #{ $seq })에서 대기 중이라 다른 호출을 할 수 없다
call-error-suspended = 스레드 { $tid }는 일시 중단되어 있다
problem-file = 파일 { $path }을(를) 만들 수 없다: { $error }
problem-cannot-start = 시스템이 { $name }을(를) 시작할 수 없다: { $error }
problem-no-live-thread = 프로세스 { $name }(pid { $pid })에 살아 있는 스레드가 없다: 종료했다
problem-thread-gone = 스레드 { $name }(tid { $tid })이(가) 없다
since-step = {" "}(단계 { $step }부터)
problem-parked = { $by }은(는) { $call }을(를) 호출할 수 없다: { $parked_in }에서 대기 중이다{ $since } (호출 #{ $seq }). 대기 중인 스레드는 그 호출이 끝날 때까지 다른 호출을 하지 못한다
problem-cannot-call = { $by }은(는) { $call }을(를) 호출할 수 없다: { $error }
problem-unbound = { $name }에 아직 값이 없다: 값을 바인딩하는 호출이 끝나지 않았다
problem-not-produced = bind { $output }: 호출이 { $output }을(를) 내놓지 않았다 (반환값 { $ret })
problem-returns-nothing = bind ret: 이 호출은 반환값이 없다
problem-memory = 실행이 메모리를 { $in_use } MiB 쓰고 있어 한도 { $limit } MiB를 넘었다
problem-not-a-number = bind { $output }: { $output }은(는) 숫자가 아니다
table-thread = { $owner }의 스레드 { $tid }
why-inherit = 상속
ret-pseudo-process = -1 (GetCurrentProcess()의 가짜 핸들: "현재 프로세스"를 뜻하며 핸들 테이블의 행이 아니다)
ret-pseudo-thread = -2 (GetCurrentThread()의 가짜 핸들: "현재 스레드"를 뜻하며 핸들 테이블의 행이 아니다)
checked-kind = 종류 { $kind }
checked-signaled = 신호 상태(signaled) = { $signaled }
glossary =
    이 장(8장)의 용어와 Win32 이름:
      커널 오브젝트       커널이 관리하는 오브젝트 (프로세스, 스레드, 이벤트, 파이프 끝, 메일슬롯, 파일)
      핸들                HANDLE: 호출한 프로세스 자신의 핸들 테이블에서 한 행을 가리키는 값
      핸들 테이블         프로세스마다 있는 표: (핸들 값, 오브젝트, 접근 권한, 상속여부)의 행들
      Usage Count         모든 핸들 테이블의 행 수 + (실행 중인 프로세스/스레드면) 1, 0이 되면 오브젝트 소멸
                          (교재 정리 노트도 이 용어는 영어 그대로 Usage Count라고 쓴다)
      상속여부            HANDLE_FLAG_INHERIT: bInheritHandles = TRUE로 만든 자식에게 그 행이 복사된다
      가짜 핸들           pseudo handle: GetCurrentProcess() = -1, GetCurrentThread() = -2, "자기 자신"을 뜻하며 테이블의 행이 아니다
      핸들 복제           DuplicateHandle: 같은 오브젝트를 가리키는 새 행을 (어느 프로세스에든) 만든다
      익명 파이프         CreatePipe: 읽기 끝과 쓰기 끝, 단방향
      이름 있는 파이프    CreateNamedPipe / ConnectNamedPipe / CreateFile: 서버 끝과 클라이언트 끝
      메일슬롯            CreateMailslot: 이름 있는 슬롯으로 가는 단방향 메시지
      신호 상태           signaled: 이벤트가 설정됨, 프로세스나 스레드가 끝남 (대기 함수가 기다리는 것)
      블로킹              아직 끝날 수 없는 호출: 그 스레드는 대기(park) 상태
      교착 상태           deadlock: 모든 스레드가 블로킹되고 남은 시간 제한도 없음
      환경 블록           NAME=VALUE 문자열들, CreateProcess 때 자식에게 복사된다
      종료 코드           GetExitCodeProcess: 실행 중에는 STILL_ACTIVE (259)
      누수                만들어진 뒤 한 번도 쓰이지 않고 프로세스가 끝날 때까지 열려 있는 핸들
bytes-written-to = { $from }: { $bytes }바이트를 씀, { $object }에서 읽도록 큐에 쌓임
cli-error = 오류
cli-error-at = { $file }:{ $line }: 단계 { $step }
check-at = 단계 { $step } (줄 { $line })
check-counts = 단계 { $steps }개, 확인 { $checks }개
check-total = 통과 { $passed }, 실패 { $failed }
raw-text = { $text }
load-at-path = 위치 { $path }:{" "}
load-cannot-read = 파일을 읽을 수 없다: { $error }
load-not-utf8 = 파일이 UTF-8 텍스트가 아니다: 바이트 { $at }({ $byte })이(가) 올바른 UTF-8이 아니다. 시나리오 파일은 UTF-8 JSON이다
serde-text = 문자열이나 {"{"}"en": ..., "ko": ...{"}"} 객체여야 한다
serde-one-or-many = 문서에 적힌 모양의 값 하나나 값의 목록이어야 한다
serde-not-whole = { $value }은(는) 0부터 { $limit }까지의 정수가 아니다
serde-missing-field = 필드 `{ $field }`가 없다
serde-duplicate-field = 필드 `{ $field }`가 두 번 나온다
serde-unknown-field = 알 수 없는 필드 `{ $name }`, 가능한 것: { $known }
serde-unknown-variant = 알 수 없는 값 `{ $name }`, 가능한 것: { $known }
serde-invalid-type = 잘못된 타입: { $found }, 예상: { $expected }
serde-syntax = JSON 문법 오류: { $text }
load-format-version = format_version { $version }은(는) 지원하지 않는다. 이 kernsim은 버전 { $supported }을(를) 읽는다
load-file-path = 파일 경로 { $path }은(는) C:\data\a.txt처럼 절대 경로여야 한다
load-file-create = 파일 { $path }을(를) 만들 수 없다: { $error } (디렉터리가 아니라 C:\data\a.txt 같은 파일 경로여야 한다)
load-constant-name = { $name }은(는) Win32 상수다. 다른 이름을 골라야 한다
load-no-names-yet = 아는 이름: 아직 없음
load-known-names = 아는 이름: { $names }
load-did-you-mean = 혹시 { $names }?
load-no-actor = 이 시점에 { $name }(이)라는 프로세스나 스레드가 없다 ({ $hint }). 프로세스 이름은 `processes`, `start`, 또는 `process_id`/`thread_id` 바인딩으로 정해진다
load-belongs-to = `{ $field }`은(는) `{ $owner }` 단계에 쓰는 필드다
load-unknown-call = 알 수 없는 호출 { $name }{ $hint }
load-needs-by = `call` 단계에는 `by`가 필요하다: 어느 프로세스나 스레드가 { $name }을(를) 호출하는가
load-argument-twice = `{ $key }`이(가) 인자 `{ $arg }`을(를) 두 번째로 준다
load-hint-did-you-mean = ; 혹시 { $names }?
load-expected-strings = 문자열의 목록이어야 한다
load-not-an-output = { $key }은(는) 출력값이 아니다. 가능한 것: { $names }
load-data-budget = 이 시나리오의 데이터 인자가 여기까지 모두 { $total }바이트로, 한도 { $budget }바이트(64 MiB)를 넘는다
load-takes-no-arguments = 인자가 없다
load-its-arguments = 인자: { $args }
load-unknown-argument = { $call }에 없는 인자 `{ $key }`. { $list }
load-unknown-argument-near = { $call }에 없는 인자 `{ $key }`. 혹시 { $near }? ({ $list })
load-expected-number = 숫자나 상수 이름이어야 하는데 { $found }이(가) 왔다
load-handle-needs-in = `handle`에는 `in`이 필요하다: 그 핸들이 들어 있는 핸들 테이블의 프로세스
load-in-needs-handle = `in`은 `handle`과 함께 쓴다
load-bad-last-error = last_error: { $value }은(는) Win32 오류 이름이나 번호가 아니다
load-result-check-needs-call = `{ $field }`은(는) 호출 결과를 확인하므로 `call` 단계에 쓴다
load-not-an-output-near = { $key }은(는) 출력값이 아니다. 혹시 { $names }?
load-not-an-output-of = { $call }에는 `{ $key }` 출력값이 없다. 이 호출의 출력값: { $names }
load-unknown-name = { $name }는 숫자도, Win32 상수도, 앞 단계에서 바인딩한 이름도 아니다{ $bound }{ $hint }
load-unclosed-insertion = { $text }에 닫히지 않은 ${"{"}가 있다
load-not-hex = { $text }은(는) 16진수가 아니다
load-not-32-bits = { $n }은(는) 32비트에 들어가지 않는다
load-empty-name = 이름은 비어 있으면 안 된다
load-object-fields = 오브젝트 필드(`handle`, `in`, `ref`, ...)는 `show` 단계나 `expect.object`에 쓴다
load-origin-part = `{ $field }`는 { $how } 행을 설명하지 않는다
load-empty-step = 빈 단계: `call`, `start`, `advance`, `show`, `file`, `note`, `expect` 중 하나가 있어야 한다
load-start-needs-image = `start` 단계에는 `image`가 필요하다
load-file-needs-content = `file` 단계에는 `content`가 필요하다
load-arguments-do-not-fit = 인자가 호출에 맞지 않는다
load-bound-in-structure = 구조체 인자 안에는 바인딩한 이름을 쓸 수 없다. 값을 직접 써야 한다
load-not-32-bit-integer = { $n }은(는) 32비트 정수가 아니다
load-name-one-object = 오브젝트를 정확히 하나 지정해야 한다: `handle`(`in`과 함께), `ref`, `process`, `thread`, `address`
load-expected-string = 문자열이어야 한다
load-expected-entry = 프로세스 항목 필드의 객체여야 한다
load-bad-data = 예상 데이터가 잘못되었다: { $error }
load-two-kinds = 단계는 한 가지 일만 하는데 이 단계에는 `{ $a }`와 `{ $b }`가 함께 있다
serde-eof-list = 목록(`[...]`)이 닫히기 전에 파일이 끝났다
serde-eof-object = 객체(`{"{"}...{"}"}`)가 닫히기 전에 파일이 끝났다
serde-eof-string = 문자열이 닫히기 전에 파일이 끝났다
serde-eof-value = 값이 나오기 전에 파일이 끝났다
serde-expected-value = 값이 와야 한다
serde-trailing-comma = 끝에 쉼표가 남았다
serde-key-string = 객체의 키는 문자열이어야 한다
serde-trailing-characters = JSON 값 뒤에 남은 문자가 있다
serde-expected-token = { $tokens }이(가) 와야 한다
cli-help-about = Windows 방식의 커널 오브젝트, 핸들 테이블, IPC를 결정적으로 흉내 내는 시뮬레이터
cli-help-run = 시나리오를 해설한다: 호출마다 그 결과, 설명, 핸들 테이블.
cli-help-run-file = 시나리오 파일.
cli-help-run-lang = 해설의 언어.
cli-help-run-format = `text`는 사람이 읽는 형식, `json`은 줄마다 JSON 객체 하나, `html`은 수업 페이지 하나, `dot`은 한 단계(`--at`)의 Graphviz 그림.
cli-help-run-no_leaks = 끝의 누수 보고(만들어진 뒤 쓰이지 않은 핸들)를 뺀다.
cli-help-check = 시나리오 파일이나 폴더를 테스트로 실행한다: 파일마다 한 줄, 그리고 요약.
cli-help-check-paths = 파일이나 폴더 (*.json을 찾는다).
cli-help-check-paranoid = 단계마다 모든 불변 조건을 처음부터 다시 계산한다 (기본: 단계가 건드린 것만, 마지막 단계 뒤에는 전부).
cli-help-check-lang = 실패 메시지의 언어.
cli-help-schema = 시나리오 파일의 JSON Schema를 출력한다.
cli-help-schema-output = 대신 JSON 추적(`run --format json`) 한 줄의 스키마를 출력한다.
cli-help-glossary = 이 장의 용어를 Win32 이름과 함께 출력한다 (`--lang ko`: 교재 노트의 한국어 용어).
cli-help-glossary-lang = 용어집의 언어.
cli-help-shell = 가상 OS 위에서 도는 교재의 명령 프롬프트 (start, lp, kp, ...).
cli-help-shell-lang = 출력의 언어.
cli-help-shell-save = 셸이 끝날 때 세션을 시나리오 파일로 저장한다.
cli-help-template =
    {"{"}about-with-newline{"}"}
    사용법: {"{"}usage{"}"}

    {"{"}all-args{"}"}{"{"}after-help{"}"}
cli-help-help = 도움말 출력
cli-help-arguments = 인자
cli-help-options = 옵션
cli-help-default = {" "}[기본값: { $value }]
cli-help-values = {" "}[가능한 값: { $values }]
cli-memory-variable = KERNSIM_MEMORY_MB={ $value }: MiB 단위의 정수여야 한다 (0: 한도 없음)
mutex-free = 뮤텍스, 소유자 없음 (신호 상태)
mutex-owned = 뮤텍스, { $thread }가 { $times }번 소유 (소유자에게만 신호 상태)
mutex-abandoned = , 버려짐 (소유자가 해제하지 않고 끝났다: 다음 대기는 WAIT_ABANDONED를 반환)
semaphore-count = 세마포어, 카운트 { $count } (최대 { $maximum })
release-owner = 소유자가 획득한 횟수만큼 { $obj }에 ReleaseMutex, 또는 소유자의 종료 (그러면 뮤텍스는 버려진다)
release-post = 핸들을 가진 쪽의 { $obj }에 대한 ReleaseSemaphore
holder-mutex-owner = { $times }번 소유 중; 이 스레드만 해제할 수 있다
event-mutex-abandoned = { $obj } 버려짐: 소유자 { $thread }가 소유한 채로 끝났다 (다음에 획득하는 쪽은 WAIT_ABANDONED를 받는다)
event-access-violation = { $thread }가 { $call }에서 NULL 버퍼에 쓴다: 접근 위반을 처리하는 곳이 없어 { $proc }가 STATUS_ACCESS_VIOLATION(0xC0000005)으로 끝난다

# Lesson views: the diff of a step (run --diff, the page) and the page's own words.
diff-row-added = + { $proc }: 핸들 { $handle } -> { $obj }
diff-row-removed = - { $proc }: 핸들 { $handle } -> { $obj }
diff-flags = ~ { $proc }: 핸들 { $handle } 이제 상속여부 { $inherit }, 닫기 보호 { $protect }
diff-count = ~ { $obj }: Usage Count { $before } -> { $after } ({ $delta })
diff-pipe-state = ~ { $obj }: 이제 { $state }
diff-none = (바뀐 핸들, 카운트, 파이프 상태 없음)
page-prev = 이전
page-next = 다음
page-closing = 닫히는 중
page-blocked = 이 호출은 블록된다: 스레드가 기다린다. 이유와 풀어 줄 수 있는 쪽:
page-pipe-state = 서버 쪽 이름 있는 파이프 인스턴스의 상태
diff = 변화:
cli-no-such-step = 단계 { $at }는 없다: 시나리오의 단계는 0(준비)부터 { $last }까지다
cli-help-run-diff = 각 단계 뒤에 바뀐 것: 추가되고 제거된 핸들, 카운트, 파이프 상태.
cli-help-run-at = `--format dot`이 그릴 단계 (0: 준비, 기본값: 마지막 단계).
step-prompt = [단계 { $at }/{ $last }] Enter: 다음, b: 뒤로, g N: N단계로, s 무엇: 보기, q: 끝 >
step-at-end = (마지막 단계다)
step-at-start = (준비 단계, 첫 단계다)
step-help = Enter 또는 n: 다음 단계; b: 뒤로; g N: N단계 (0은 준비); q: 끝; s 무엇: 이 단계에서 보기: s handles [프로세스...], s env [프로세스...], s object X, s pipe X, s why X (프로세스: 무엇을 기다리는지, 핸들 이름: 무엇이 오브젝트를 살려 두는지), s processes, s namespace, s waits, s leaks, s files
cli-help-run-step = 한 번에 한 단계씩: Enter 다음, `b` 뒤로, `g N` N단계로, `s 무엇` 보기, `q` 끝.

# kernsim quiz
quiz-header = kernsim 퀴즈: 시드 { $seed }, 주제 { $topic } (같은 시드는 같은 문제를 낸다: kernsim quiz --topic { $topic } --seed { $seed })
quiz-processes = 처음의 프로세스: { $names }. 호출을 차례로:
quiz-ret = { $step }단계 ({ $call }): 무엇을 반환하고, 마지막 오류를 설정한다면 무엇인가? (예: TRUE; FALSE 6; 4; 0 ERROR_ENVVAR_NOT_FOUND)
quiz-env-text = { $step }단계: 자식이 읽는 문자열은? (따옴표 안에; 비었으면 "")
quiz-blocks = { $step }단계는 블록되는가 (스레드가 기다리는가)? (예 또는 아니오)
quiz-table = { $step }단계 뒤에 { $proc }의 핸들 테이블에 있는 핸들 값은? (숫자들, 또는 없음)
quiz-usage = { $step }단계 뒤에 { $proc }의 핸들 { $handle }이 가리키는 커널 오브젝트의 Usage Count는?
quiz-inherit = { $step }단계 뒤에 { $proc }의 핸들 { $handle }은 상속되는가? (예 또는 아니오)
quiz-reverse = { $step }단계는 어느 호출이었나? (글자 하나)
quiz-final-tables = { $step }단계 뒤의 핸들 테이블:
quiz-answer = 답:
quiz-right = 맞았다.
quiz-wrong = 틀렸다: 답은 { $answer }.
quiz-score = 점수: { $of }개 중 { $right }개
quiz-none = 없음
quiz-yes = 예
quiz-no = 아니오
quiz-no-topic = 퀴즈 주제 { $topic }는 없다; 주제는: { $topics }, all
cli-help-quiz = 모델로 만든 시드 문제: 호출들, 그리고 그 결과에 대한 질문.
cli-help-quiz-topic = handles, inherit, duplicate, pipes, named-pipes, env, processes 또는 all.
cli-help-quiz-seed = 문제의 시드 (처음에 찍힌다: 같은 문제를 나눌 수 있다).
cli-help-quiz-steps = 문제의 호출 수 (대략).
cli-help-quiz-lang = 문제와 설명의 언어.
cli-help-quiz-solve = 묻지 않고 답과 설명을 찍는다.
cli-help-quiz-final_only = 마지막 호출 뒤의 상태만 묻는다.
cli-help-quiz-reverse = 마지막 테이블을 보여 주고 어느 호출이 만들었는지 묻는다.
quiz-bytes-read = { $step }단계: 읽기가 파이프에서 몇 바이트를 꺼내는가?
cli-help-completions = 셸 자동 완성 스크립트를 찍는다 (bash, zsh, fish, elvish, powershell).
cli-help-completions-shell = 셸.
cli-help-man = 이 정의에서 만든 매뉴얼 페이지(roff)를 찍는다.
cli-example-run = 예:
    kernsim run scenarios/s1_duplicate_process_example.json --lang ko
    kernsim run scenarios/s2_named_pipe_procedure.json --format html --lang ko > lesson.html
    kernsim run scenarios/s2_anonymous_pipe_child.json --step --diff --lang ko
cli-example-check = 예:
    kernsim check scenarios/
cli-example-quiz = 예:
    kernsim quiz --topic inherit --seed 7 --lang ko
    kernsim quiz --topic pipes --seed 3 --lang ko -c
cli-example-schema = 예:
    kernsim schema > kernsim.schema.json
    kernsim schema --output > kernsim-trace.schema.json
cli-example-glossary = 예:
    kernsim glossary --lang ko
cli-example-shell = 예:
    kernsim shell --lang ko --save session.json
cli-example-completions = 예:
    kernsim completions bash > /etc/bash_completion.d/kernsim
cli-example-man = 예:
    kernsim man > kernsim.1 && man ./kernsim.1
load-bound-so-far = {" "}(지금까지 바인딩한 이름: { $names })
load-none-bound-yet = {" "}(아직 바인딩한 이름이 없다)
page-more-rows = ... 그리고 그리지 않은 핸들 { $n }개

# Argument names in call lines (`CloseHandle(handle: ...)`): `arg-<name>`, one per argument
# of every call and per field of an argument written as an object (a test checks each).
arg-application_name = 실행 파일 이름
arg-attribute = 속성
arg-attribute_count = 속성 개수
arg-attribute_list = 속성 목록
arg-buffer_size = 버퍼 크기
arg-bytes_to_read = 읽을 바이트 수
arg-collect_data_timeout = 수집 대기 시간
arg-command_line = 명령줄
arg-creation_disposition = 생성 방식
arg-creation_flags = 생성 플래그
arg-current_directory = 현재 디렉터리
arg-data = 데이터
arg-default_timeout = 기본 대기 시간
arg-desired_access = 요청 접근 권한
arg-environment = 환경 블록
arg-error = 오류 코드
arg-event = 이벤트
arg-event_attributes = 이벤트 보안 속성
arg-exit_code = 종료 코드
arg-file = 파일
arg-file_name = 파일 이름
arg-flags = 플래그
arg-flags_and_attributes = 플래그와 속성
arg-handle = 핸들
arg-handle_list = 상속할 핸들 목록
arg-handles = 핸들 목록
arg-in_buffer_size = 입력 버퍼 크기
arg-inherit_handle = 상속여부
arg-inherit_handles = 핸들 상속
arg-initial_count = 초기 카운트
arg-initial_owner = 처음부터 소유
arg-initial_state = 초기 상태
arg-mailslot = 메일슬롯
arg-manual_reset = 수동 리셋
arg-mask = 마스크
arg-max_collection_count = 최대 수집 바이트
arg-max_instances = 최대 인스턴스 수
arg-max_message_size = 최대 메시지 크기
arg-maximum_count = 최대 카운트
arg-milliseconds = 대기 시간(ms)
arg-mode = 모드
arg-mutex = 뮤텍스
arg-mutex_attributes = 뮤텍스 보안 속성
arg-name = 이름
arg-named_pipe = 파이프
arg-null_buffer = 버퍼 없음(NULL)
arg-null_target_handle = 대상 핸들 없음(NULL)
arg-open_mode = 열기 모드
arg-options = 옵션
arg-out_buffer_size = 출력 버퍼 크기
arg-pipe_attributes = 파이프 보안 속성
arg-pipe_mode = 파이프 모드
arg-process = 프로세스
arg-process_attributes = 프로세스 보안 속성
arg-process_id = pid
arg-query_remote_info = 상대 정보 조회
arg-read_timeout = 읽기 대기 시간
arg-release_count = 증가량
arg-semaphore = 세마포어
arg-semaphore_attributes = 세마포어 보안 속성
arg-security_attributes = 보안 속성
arg-share_mode = 공유 모드
arg-size = 크기
arg-snapshot = 스냅샷
arg-source_handle = 원본 핸들
arg-source_process_handle = 원본 프로세스 핸들
arg-src = 원본 문자열
arg-std_error = 표준 오류
arg-std_handle = 표준 핸들
arg-std_input = 표준 입력
arg-std_output = 표준 출력
arg-target_process_handle = 대상 프로세스 핸들
arg-thread = 스레드
arg-thread_attributes = 스레드 보안 속성
arg-timeout = 대기 시간
arg-value = 값
arg-wait_all = 모두 대기
arg-fill = 채울 패턴
arg-len = 길이
