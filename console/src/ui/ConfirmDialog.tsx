import { type FormEvent, useEffect, useId, useRef, useState } from 'react'

/**
 * A destructive kitchen move (void a dish, cancel an order) asked once more, with the reason the database keeps
 * (`void_reason`): a modal `<dialog>`, so focus stays in it and Escape backs out.
 */
export function ConfirmDialog({
  title,
  detail,
  confirmLabel,
  onConfirm,
  onClose,
}: {
  title: string
  detail: string
  confirmLabel: string
  onConfirm: (reason: string) => void
  onClose: () => void
}) {
  const dialog = useRef<HTMLDialogElement>(null)
  const titleId = useId()
  const [reason, setReason] = useState('')

  // No close() on cleanup: Strict Mode's rehearsal unmount would fire `close`, and the parent would drop the
  // dialog as soon as it opened; a dialog removed from the page leaves the top layer by itself.
  useEffect(() => {
    const element = dialog.current
    if (element && !element.open) element.showModal()
  }, [])

  function submit(event: FormEvent) {
    event.preventDefault()
    onConfirm(reason.trim())
    onClose()
  }

  return (
    <dialog ref={dialog} className='confirm panel' aria-labelledby={titleId} onClose={onClose}>
      <form method='dialog' onSubmit={submit}>
        <h2 id={titleId}>{title}</h2>
        <p>{detail}</p>
        <label>
          Reason
          <input
            value={reason}
            onChange={(event) => setReason(event.target.value)}
            required
            maxLength={200}
            autoFocus
          />
        </label>
        <div className='dialog-actions'>
          <button type='button' onClick={onClose}>
            Keep it
          </button>
          <button type='submit' className='danger'>
            {confirmLabel}
          </button>
        </div>
      </form>
    </dialog>
  )
}
